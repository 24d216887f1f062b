import Foundation

/// `helm-release`: gets a helm release out of a state helm refuses to work from, then syncs it from the work dir.
///
/// `action: unstick` (helm says "another operation (install/upgrade/rollback) is in progress"): when the latest
/// revision is `pending-*`, `helm rollback` to the last revision that was deployed (`deployed` or `superseded`), or
/// `helm uninstall` when none ever was; then `helmfile sync` of the release. `action: reinstall` (helm says "has no
/// deployed releases"): when no revision is `deployed`, `helm uninstall`, then the sync. Neither can be undone: both
/// are irreversible, confirmed with the release name, and compensated on rollback by the sync. Nothing is planned
/// when the release is not in that state (a re-apply after the fix plans nothing). The release's `helm history` and
/// `helm status` are recorded in the state repo before and after the run (`cluster/<context>/helm/<ns>/<release>/`).
///
/// Args: `release`, `action`, `namespace` (default: the work dir's), `file` (its helmfile, default: found in the
/// work dir), `context` (default: kubectl's current context).
public enum HelmReleaseStep: StepKind {
    public static let name = "helm-release"
    public static let requiredKeys: Set<String> = ["release", "action"]
    public static let optionalKeys: Set<String> = ["namespace", "file", "context"]
    public static let actions = ["unstick", "reinstall"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let action = try args.string("action")
        guard actions.contains(action) else {
            throw StepError.badArgument(
                step: name, key: "action", reason: "expected unstick or reinstall, got \(action)")
        }
        let target = try ReleaseTarget(args, in: context)
        let zh = context.language == .zh
        let historyArgv = ["helm", "history", "-n", target.namespace, target.release, "-o", "json"]
        guard let history = try target.history(in: context) else {
            return StepPlan(notes: [
                zh
                    ? "命名空间 \(target.namespace) 中没有 release \(target.release)（helm history: release: not found），无需处理"
                    : "release \(target.release) does not exist in namespace \(target.namespace) "
                        + "(helm history: release: not found); nothing to do"
            ])
        }
        var notes = ["\(historyArgv.joined(separator: " ")):\n" + history.table]
        let latest = history.latest
        let command: CommandChange
        switch action {
        case "unstick":
            guard let latest, HelmHistory.isLocking(latest.status) else {
                notes.append(
                    zh
                        ? "最新版本 \(latest.map { "\($0.revision)（\($0.status)）" } ?? "无")不是 pending 状态，helm 未被锁住，无需处理"
                        : "the latest revision (\(latest.map { "\($0.revision), \($0.status)" } ?? "none")) is not "
                            + "pending: helm is not locked; nothing to unstick")
                return StepPlan(notes: notes, observe: target.observed)
            }
            if let good = history.lastDeployed {
                notes.append(
                    zh
                        ? "选择版本 \(good.revision)：最后一次部署成功的版本（\(good.status)，\(good.chart)）；最新版本 \(latest.revision) 停在 \(latest.status)"
                        : "chose revision \(good.revision): the last one that was deployed (\(good.status), "
                            + "\(good.chart)); the latest, \(latest.revision), is stuck in \(latest.status)")
                command = target.rollback(to: good.revision, context: context)
            } else {
                notes.append(
                    zh
                        ? "没有任何版本部署成功过（最新 \(latest.revision) 为 \(latest.status)），只能卸载后重新部署"
                        : "no revision was ever deployed (the latest, \(latest.revision), is \(latest.status)): "
                            + "uninstall it, then install it again")
                command = target.uninstall(context: context)
            }
        default:
            guard !history.hasDeployedRevision else {
                notes.append(
                    zh
                        ? "release \(target.release) 有 deployed 状态的版本，helm upgrade 可以进行，无需重装"
                        : "\(target.release) has a deployed revision, so helm upgrade can work; nothing to reinstall")
                return StepPlan(notes: notes, observe: target.observed)
            }
            notes.append(
                zh
                    ? "没有 deployed 状态的版本（helm upgrade 报 has no deployed releases）：卸载后重新部署"
                    : "no revision is deployed (so helm upgrade says \"has no deployed releases\"): uninstall it, "
                        + "then install it again")
            command = target.uninstall(context: context)
        }
        return StepPlan(
            changes: [.command(command), .command(target.sync(context: context))], notes: notes,
            observe: target.observed)
    }
}
