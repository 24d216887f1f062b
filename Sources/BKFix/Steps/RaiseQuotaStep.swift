import Foundation

/// `raise-quota`: overrides a release's `<component>.resources.limits` in its custom-values file, multiplied by
/// `factor` (default 2) or set to explicit `cpu`/`memory` (then only those), as BlueKing's FAQ does by hand.
///
/// Current limits come from the release's values files (custom-values over values); only when they are not there
/// does planning ask the cluster (`kubectl get pod -o json`, read-only), else the operator must give
/// `cpu`/`memory`. Without `component`, every component with limits is raised; diagnosis passes the failing
/// pods' components as `component`.
public enum RaiseQuotaStep: StepKind {
    public static let name = "raise-quota"
    public static let requiredKeys: Set<String> = ["release"]
    public static let optionalKeys: Set<String> = ["factor", "cpu", "memory", "component"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let releaseName = try args.string("release")
        let factor = try args.double("factor", default: 2)
        guard factor > 0, factor.isFinite else {
            throw StepError.badArgument(step: name, key: "factor", reason: "must be a positive number")
        }
        let explicitCPU = try quantity(args, "cpu")
        let explicitMemory = try quantity(args, "memory")
        let wanted = try args.optionalStrings("component")?
            .flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }
        let target = try ReleaseOverride.locate(releaseName, step: name, in: context)
        let (workDir, release) = (target.workDir, target.release)
        var notes: [String] = []
        let values = try workDir.mergedValues(of: release, transport: context.control)
        let searched =
            values.files.isEmpty
            ? "its values files (none exists: \(release.valuesFiles.joined(separator: ", ")))"
            : values.files.joined(separator: ", ")
        var components = values.limits
        let missing = (wanted ?? []).filter { name in !components.contains { $0.component == name } }
        if components.isEmpty || !missing.isEmpty,
            let pods = try? ReleasePod.query(release: release.name, namespace: release.namespace, in: context)
        {
            let live = liveLimits(pods, wanted: wanted == nil ? nil : missing)
            if !live.isEmpty {
                components += live
                notes.append(
                    context.language == .zh
                        ? "values 文件中没有 \(live.map(\.component).joined(separator: ", ")) 的 limits，使用运行中 pod 的当前值"
                        : "no limits for \(live.map(\.component).joined(separator: ", ")) in the values files; "
                            + "using the running pods' current limits")
            }
        }
        if let wanted {
            var selected = components.filter { wanted.contains($0.component) }
            for name in wanted where !selected.contains(where: { $0.component == name }) {
                guard explicitCPU != nil || explicitMemory != nil else {
                    throw StepError.cannotPlan(
                        step: self.name,
                        reason: "component \(name) of \(release.name) has no resources.limits in "
                            + "\(searched) and no live pod answered; give cpu=... and/or memory=...")
                }
                selected.append(ComponentLimits(component: name, path: [name]))
            }
            components = selected
        }
        if components.isEmpty {
            guard explicitCPU != nil || explicitMemory != nil else {
                throw StepError.cannotPlan(
                    step: name,
                    reason: "no resources.limits for \(release.name) in \(searched) "
                        + "and no live pod answered; give cpu=... and/or memory=... (and component=...)")
            }
            components = [ComponentLimits(component: "", path: [])]
        }
        var assignments: [YAMLSplice.Assignment] = []
        for component in components {
            let label = component.component.isEmpty ? release.name : component.component
            var parts: [String] = []
            for (key, old, explicit) in [
                ("cpu", component.cpu, explicitCPU), ("memory", component.memory, explicitMemory),
            ] {
                let new: Quantity
                if let explicit {
                    new = explicit
                } else if let old, explicitCPU == nil && explicitMemory == nil {
                    do {
                        new = try Quantity(parsing: old).multiplied(by: factor)
                    } catch let error as QuantityError {
                        throw StepError.cannotPlan(
                            step: name, reason: "\(label).resources.limits.\(key): \(error.localizedDescription)")
                    }
                } else {
                    continue
                }
                assignments.append(
                    YAMLSplice.Assignment(component.path + ["resources", "limits", key], new.description))
                parts.append("\(key) \(old ?? "(unset)") → \(new.description)")
            }
            if !parts.isEmpty { notes.append("\(label): \(parts.joined(separator: ", "))") }
        }
        guard !assignments.isEmpty else {
            throw StepError.cannotPlan(
                step: name, reason: "nothing to raise for \(release.name); give cpu=... and/or memory=...")
        }
        guard let change = try target.change(assignments, notes: notes, in: context) else {
            return StepPlan(notes: notes + ["\(target.hostPath) already holds these limits"])
        }
        return StepPlan(changes: [.file(change)])
    }

    private static func quantity(_ args: StepArgs, _ key: String) throws -> Quantity? {
        guard let text = try args.optionalString(key) else { return nil }
        do {
            return try Quantity(parsing: text)
        } catch let error as QuantityError {
            throw StepError.badArgument(step: name, key: key, reason: error.localizedDescription)
        }
    }

    /// Limits of the live pods: for each wanted component its pods' (matched by label, `coordinating` ↔
    /// `coordinating-only`), or, when nothing is wanted, one component per distinct label.
    static func liveLimits(_ pods: [ReleasePod], wanted: [String]?) -> [ComponentLimits] {
        var result: [ComponentLimits] = []
        if let wanted {
            for name in wanted {
                let probe = ComponentLimits(component: name, path: [name])
                guard let container = pods.first(where: { probe.matches(label: $0.component) })?.containers.first,
                    container.cpu != nil || container.memory != nil
                else { continue }
                result.append(
                    ComponentLimits(component: name, path: [name], cpu: container.cpu, memory: container.memory))
            }
            return result
        }
        for pod in pods where !result.contains(where: { $0.component == (pod.component ?? "") }) {
            guard let container = pod.containers.first, container.cpu != nil || container.memory != nil else {
                continue
            }
            let component = pod.component ?? ""
            result.append(
                ComponentLimits(
                    component: component, path: component.isEmpty ? [] : [component], cpu: container.cpu,
                    memory: container.memory))
        }
        return result
    }
}
