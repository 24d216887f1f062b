import Foundation

/// `service-reload`: `systemctl reload SERVICE`. For docker, when the reload fails, `systemctl kill -s HUP
/// --kill-who=main docker`, then `pkill -HUP -x dockerd`: each finds dockerd when it runs. No pid is ever planned
/// or recorded: a saved plan or a rollback days later must never signal whatever process holds that pid by then
/// (SIGHUP's default action terminates it). Reversible: rollback restores the files first and then reloads again so
/// the old configuration is read back.
public enum ServiceReloadStep: StepKind {
    public static let name = "service-reload"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["service"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let service = try args.optionalString("service") ?? "docker"
        return StepPlan(changes: [.command(reloadChange(service: service, in: context))])
    }

    /// What is tried when `systemctl reload` fails, resolved by the node when it runs. `--kill-who=main` signals
    /// only dockerd itself: the unit's other processes (docker-proxy) would die of a SIGHUP. systemd 252 renamed
    /// the option `--kill-whom` and still accepts the old name, which CentOS 7's systemd 219 knows.
    public static func fallbacks(service: String) -> [[String]] {
        guard service == "docker" || service == "docker.service" else { return [] }
        return [["systemctl", "kill", "-s", "HUP", "--kill-who=main", service], ["pkill", "-HUP", "-x", "dockerd"]]
    }

    /// The reload command with its fallbacks and its undo (the same reload, after the files are restored).
    public static func reloadChange(service: String, in context: PlanContext) -> CommandChange {
        let argv = ["systemctl", "reload", service]
        let summary = Localized(
            zh: "重新加载 \(service) 使配置生效", en: "reload \(service) so it reads the new configuration")
        let undo = CommandChange(
            host: context.host, argv: argv, timeout: 60, risk: .reversible, fallbacks: fallbacks(service: service),
            summary: Localized(zh: "重新加载 \(service) 以读回原配置", en: "reload \(service) to read the restored configuration")
                .text(context.language))
        return CommandChange(
            host: context.host, argv: argv, timeout: 60, risk: .reversible, undo: [undo],
            fallbacks: fallbacks(service: service), summary: summary.text(context.language))
    }
}
