import Foundation

/// The release a helm or data step acts on, resolved from its arguments and the work dir: name, namespace, the
/// cluster context, the helmfile that syncs it.
struct ReleaseTarget {
    var release: String
    var namespace: String
    var clusterContext: String
    var helmfile: String
    var workDir: String

    init(_ args: StepArgs, in context: PlanContext) throws {
        release = try args.string("release")
        guard ClusterPath.isName(release) else {
            throw StepError.badArgument(step: args.kind, key: "release", reason: "\(release) is not a release name")
        }
        guard let installDir = context.installDir else {
            throw StepError.cannotPlan(
                step: args.kind, reason: "the BlueKing install dir is unknown; pass --install-dir")
        }
        let dir = try BlueKingWorkDir.locate(installDir: installDir, transport: context.control)
        let defined = try? dir.release(named: release)
        if let given = try args.optionalString("file") {
            guard try context.control.read(dir.hostPath(given)) != nil else {
                throw StepError.cannotPlan(step: args.kind, reason: "helmfile \(dir.hostPath(given)) does not exist")
            }
            helmfile = given
        } else {
            helmfile = try dir.release(named: release).helmfile
        }
        namespace = try args.optionalString("namespace") ?? defined?.namespace ?? BlueKingWorkDir.defaultNamespace
        guard ClusterPath.isName(namespace) else {
            throw StepError.badArgument(step: args.kind, key: "namespace", reason: "\(namespace) is not a namespace")
        }
        workDir = dir.path
        clusterContext = try ClusterContext.resolve(args, in: context)
    }

    var host: String { ClusterPath.host(context: clusterContext) }

    /// helm's history and status of the release, recorded before and after the run.
    var observed: [ObservedFile] {
        [
            ClusterPath.helmHistory(namespace: namespace, release: release),
            .helmStatus(namespace: namespace, release: release),
        ]
        .map { ObservedFile(host: host, path: $0.path) }
    }

    /// The release's history, read through the plan's view of the cluster (pinned), or nil when helm does not know it.
    func history(in context: PlanContext) throws -> HelmHistory? {
        let path = ClusterPath.helmHistory(namespace: namespace, release: release).path
        guard let snapshot = try context.transport(for: host).read(path) else { return nil }
        let what = "helm history -n \(namespace) \(release)"
        return try HelmHistory(
            CanonicalYAML.parse(String(decoding: snapshot.data, as: UTF8.self), what: what), what: what)
    }

    func helm(_ arguments: [String]) -> [String] { ClusterTransport.helm(context: clusterContext, arguments) }

    func kubectl(_ arguments: [String]) -> [String] { ClusterTransport.kubectl(context: clusterContext, arguments) }

    /// `helmfile sync` of the release, compensated by itself.
    func sync(context: PlanContext) -> CommandChange {
        HelmfileStep.command(file: helmfile, release: release, action: "sync", workDir: workDir, context: context)
    }

    /// `helmfile destroy` of the release (irreversible, confirmed with its name, compensated by the sync).
    func destroy(context: PlanContext) -> CommandChange {
        HelmfileStep.command(file: helmfile, release: release, action: "destroy", workDir: workDir, context: context)
    }

    /// An irreversible command on the release, confirmed with its name and compensated by the sync.
    func irreversible(_ argv: [String], summary: Localized, effect: Localized, context: PlanContext) -> CommandChange {
        CommandChange(
            host: context.control.host, argv: argv, timeout: HelmfileStep.timeout, risk: .irreversible,
            undo: [sync(context: context)], confirmWord: release, summary: summary.text(context.language),
            effect: effect.text(context.language))
    }

    func rollback(to revision: Int, context: PlanContext) -> CommandChange {
        irreversible(
            helm(["rollback", "-n", namespace, release, String(revision), "--wait"]),
            summary: Localized(
                zh: "把 \(release) 回滚到版本 \(revision)（不可撤销）",
                en: "roll \(release) back to revision \(revision) (cannot be undone)"),
            effect: Localized(
                zh: "\(release) 已回滚到版本 \(revision)", en: "\(release) was rolled back to revision \(revision)"),
            context: context)
    }

    func uninstall(context: PlanContext) -> CommandChange {
        irreversible(
            helm(["uninstall", "-n", namespace, release]),
            summary: Localized(
                zh: "卸载 release \(release)（不可撤销）", en: "uninstall release \(release) (cannot be undone)"),
            effect: Localized(zh: "\(release) 已被 helm uninstall 卸载", en: "\(release) was uninstalled"), context: context
        )
    }
}
