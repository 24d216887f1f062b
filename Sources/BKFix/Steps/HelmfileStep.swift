import Foundation

/// `helmfile`: runs `helmfile -f FILE -l name=RELEASE ACTION` in the work dir.
///
/// `destroy` cannot be undone and must be confirmed with the release name; its compensation is a sync of the
/// release, which rollback runs after the values files are restored whenever the destroy ran, whatever happened
/// after it. `sync` and `apply` are compensated by a re-sync too.
public enum HelmfileStep: StepKind {
    public static let name = "helmfile"
    public static let requiredKeys: Set<String> = ["release"]
    public static let optionalKeys: Set<String> = ["file", "action"]
    public static let actions = ["sync", "destroy", "apply"]
    /// helmDefaults `timeout: 600` per operation; a release with several waits can take longer.
    public static let timeout: Double = 1800

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let release = try args.string("release")
        let action = try args.optionalString("action") ?? "sync"
        guard actions.contains(action) else {
            throw StepError.badArgument(
                step: name, key: "action", reason: "expected sync, destroy or apply, got \(action)")
        }
        guard let installDir = context.installDir else {
            throw StepError.cannotPlan(step: name, reason: "the BlueKing install dir is unknown; pass --install-dir")
        }
        let workDir = try BlueKingWorkDir.locate(installDir: installDir, transport: context.control)
        let file: String
        if let given = try args.optionalString("file") {
            guard try context.control.read(workDir.hostPath(given)) != nil else {
                throw StepError.cannotPlan(step: name, reason: "helmfile \(workDir.hostPath(given)) does not exist")
            }
            file = given
        } else {
            file = try workDir.release(named: release).helmfile
        }
        let command = self.command(
            file: file, release: release, action: action, workDir: workDir.path, context: context)
        return StepPlan(changes: [.command(command)])
    }

    /// The planned command for one action, with its risk and undo.
    static func command(file: String, release: String, action: String, workDir: String, context: PlanContext)
        -> CommandChange
    {
        let argv = ["helmfile", "-f", file, "-l", "name=\(release)", action]
        let host = context.control.host
        let zh = context.language == .zh
        let resync = CommandChange(
            host: host, argv: ["helmfile", "-f", file, "-l", "name=\(release)", "sync"], workdir: workDir,
            timeout: timeout, risk: .compensating,
            summary: zh ? "用恢复后的 values 重新 sync \(release)" : "syncing \(release) again from the restored values")
        switch action {
        case "destroy":
            return CommandChange(
                host: host, argv: argv, workdir: workDir, timeout: timeout, risk: .irreversible, undo: [resync],
                confirmWord: release,
                summary: zh ? "卸载 release \(release)（不可撤销）" : "uninstall release \(release) (cannot be undone)",
                effect: zh ? "\(release) 已被 destroy（卸载）" : "\(release) was destroyed")
        default:
            return CommandChange(
                host: host, argv: argv, workdir: workDir, timeout: timeout, risk: .compensating, undo: [resync],
                summary: zh ? "\(action) release \(release)" : "\(action) release \(release)")
        }
    }
}
