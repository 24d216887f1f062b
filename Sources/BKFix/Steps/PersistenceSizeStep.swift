import Foundation

/// `persistence-size`: lowers a release's volume size (`persistence.size`, or the chart's own key such as
/// `master.persistence.size`) in its custom-values file, the way `raise-quota` edits limits, so that its claims fit
/// the localpv space the nodes have. A claim's size cannot change in place: the release is destroyed (irreversible,
/// compensated by a sync), its pending claims, which hold no data, are deleted, and it is synced again. Without
/// `release` and `size` it changes nothing.
public enum PersistenceSizeStep: StepKind {
    public static let name = "persistence-size"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["release", "size", "component"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let releaseName = try args.optionalString("release")
        guard let sizeText = try args.optionalString("size") else {
            let how = releaseName.map { "-p release=\($0) -p size=..." } ?? "-p release=... -p size=..."
            return StepPlan(notes: [
                context.text(
                    zh: "未做任何修改；要调小某个 release 的存储大小，请给出 \(how)",
                    en: "nothing changed; to lower a release's volume size, give \(how)")
            ])
        }
        guard let releaseName else {
            throw StepError.badArgument(step: name, key: "release", reason: "size needs the release whose size it is")
        }
        let size: Quantity
        do {
            size = try Quantity(parsing: sizeText)
        } catch let error as QuantityError {
            throw StepError.badArgument(step: name, key: "size", reason: error.localizedDescription)
        }
        let target = try ReleaseOverride.locate(releaseName, step: name, in: context)
        let (workDir, release) = (target.workDir, target.release)
        let pending = try ClaimRequest.query(on: context.control).filter {
            $0.isPending && $0.namespace == release.namespace && $0.belongs(to: release.name)
        }
        let sizes = try workDir.persistenceSizes(of: release, transport: context.control)
        let path = try sizePath(
            sizes, component: try args.optionalString("component"), pending: pending, release: release.name)
        let dotted = path.joined(separator: ".")
        let current = sizes.first { $0.path == path }
        if let text = current?.size, let old = try? Quantity(parsing: text), size >= old, text != sizeText {
            throw StepError.cannotPlan(
                step: name, reason: "\(release.name)'s \(dotted) is \(text); \(sizeText) is not smaller")
        }
        let note = "\(release.name): \(dotted) \(current?.size ?? current?.raw ?? "(chart default)") → \(sizeText)"
        guard let file = try target.change([YAMLSplice.Assignment(path, sizeText)], notes: [note], in: context) else {
            return StepPlan(notes: ["\(target.hostPath) already sets \(dotted) to \(sizeText)"])
        }
        let destroy = HelmfileStep.command(
            file: release.helmfile, release: release.name, action: "destroy", workDir: workDir.path, context: context)
        let sync = HelmfileStep.command(
            file: release.helmfile, release: release.name, action: "sync", workDir: workDir.path, context: context)
        var changes: [Change] = [.file(file), .command(destroy)]
        if !pending.isEmpty {
            let names = pending.map(\.name).sorted()
            changes.append(
                .command(
                    CommandChange(
                        host: context.control.host,
                        argv: ["kubectl", "delete", "pvc", "-n", release.namespace] + names, timeout: 300,
                        risk: .irreversible, undo: destroy.undo, confirmWord: release.name,
                        summary: context.text(
                            zh: "删除 \(release.name) 等待绑定的 PVC（未绑定，没有数据），以便按新大小重建",
                            en: "delete \(release.name)'s pending claims (unbound, no data) so they are made again "
                                + "with the new size"),
                        effect: context.text(
                            zh: "\(release.name) 的 PVC \(names.joined(separator: ", ")) 已被删除",
                            en: "the claims \(names.joined(separator: ", ")) of \(release.name) were deleted"))))
        }
        changes.append(.command(sync))
        return StepPlan(changes: changes)
    }

    /// Which key to lower: the component's, the only one, the one of the pending claims' component, or the chart
    /// root's `persistence.size` when the values files set none.
    static func sizePath(_ sizes: [PersistenceSize], component: String?, pending: [ClaimRequest], release: String)
        throws -> [String]
    {
        if let component, !component.isEmpty { return [component, "persistence", "size"] }
        if sizes.count == 1 { return sizes[0].path }
        if sizes.isEmpty { return ["persistence", "size"] }
        let labels = Set(pending.compactMap { $0.labels["app.kubernetes.io/component"] })
        let matching = sizes.filter { size in
            size.path.count == 3
                && labels.contains { ComponentLimits(component: size.path[0], path: []).matches(label: $0) }
        }
        if matching.count == 1 { return matching[0].path }
        let keys = sizes.map { $0.path.joined(separator: ".") }.joined(separator: ", ")
        throw StepError.cannotPlan(
            step: name, reason: "\(release) has several volume sizes (\(keys)); say which with -p component=...")
    }
}
