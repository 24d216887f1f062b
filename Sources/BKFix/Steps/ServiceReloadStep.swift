import Foundation

/// `service-reload`: `systemctl reload SERVICE`; for docker the fallback is `kill -HUP` of dockerd (found at plan
/// time with `pidof dockerd`, else `pkill -HUP -x dockerd`). Reversible: rollback restores the files first and then
/// reloads again so the old configuration is read back.
public enum ServiceReloadStep: StepKind {
    public static let name = "service-reload"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["service"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let service = try args.optionalString("service") ?? "docker"
        return StepPlan(changes: [.command(reloadChange(service: service, in: context))])
    }

    /// The reload command with its fallbacks and its undo (the same reload, after the files are restored).
    public static func reloadChange(service: String, in context: PlanContext) -> CommandChange {
        let argv = ["systemctl", "reload", service]
        var fallbacks: [[String]] = []
        if service == "docker" || service == "docker.service" {
            let pidof = try? context.transport.run(CommandSpec(argv: ["pidof", "dockerd"], timeout: 10), output: nil)
            if let pidof, pidof.succeeded,
                let pid = pidof.stdout.split(whereSeparator: \.isWhitespace).first, Int(pid) != nil
            {
                fallbacks = [["kill", "-HUP", String(pid)]]
            } else {
                fallbacks = [["pkill", "-HUP", "-x", "dockerd"]]
            }
        }
        let summary = Localized(
            zh: "重新加载 \(service) 使配置生效", en: "reload \(service) so it reads the new configuration")
        let undo = CommandChange(
            host: context.host, argv: argv, timeout: 60, risk: .reversible, fallbacks: fallbacks,
            summary: Localized(zh: "重新加载 \(service) 以读回原配置", en: "reload \(service) to read the restored configuration")
                .text(context.language))
        return CommandChange(
            host: context.host, argv: argv, timeout: 60, risk: .reversible, undo: [undo], fallbacks: fallbacks,
            summary: summary.text(context.language))
    }
}
