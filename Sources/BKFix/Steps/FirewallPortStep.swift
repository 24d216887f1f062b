import Foundation

/// `firewall-port`: open a TCP port on a node's firewall (the kubelet's 10250 for `kubelet-unreachable`).
/// firewalld when `systemctl is-active firewalld` says active (`--permanent --add-port` then `--reload`), else an
/// iptables ACCEPT rule at the top of INPUT. Nothing is planned when the port is already open. Reversible.
public enum FirewallPortStep: StepKind {
    public static let name = "firewall-port"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["port", "protocol"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let portText = try args.optionalString("port") ?? "10250"
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw StepError.badArgument(
                step: name, key: "port", reason: "expected a port from 1 to 65535, got \(portText)")
        }
        let proto = try args.optionalString("protocol") ?? "tcp"
        guard proto == "tcp" || proto == "udp" else {
            throw StepError.badArgument(step: name, key: "protocol", reason: "expected tcp or udp, got \(proto)")
        }
        if try firewalldIsActive(in: context) {
            return try planFirewalld(port: port, proto: proto, in: context)
        }
        return try planIptables(port: port, proto: proto, in: context)
    }

    /// Read-only: `systemctl is-active firewalld` prints `active` (exit 0) only when firewalld runs.
    static func firewalldIsActive(in context: PlanContext) throws -> Bool {
        let result: CommandResult
        do {
            result = try query(["systemctl", "is-active", "firewalld"], in: context)
        } catch let error as ProcessRunnerError {
            if case .notFound = error { return false }  // no systemd: no firewalld
            throw error
        }
        return result.succeeded && result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "active"
    }

    static func planFirewalld(port: Int, proto: String, in context: PlanContext) throws -> StepPlan {
        let spec = "\(port)/\(proto)"
        let probe = try query(["firewall-cmd", "--query-port=\(spec)"], in: context)
        let answer = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if probe.exitCode == 0 && answer == "yes" {
            return StepPlan(notes: [
                text(
                    zh: "\(context.host) 的 firewalld 已放行 \(spec)，无需修改",
                    en: "firewalld on \(context.host) already allows \(spec); nothing to do", context)
            ])
        }
        guard answer == "no" || probe.exitCode == 1 else {
            throw StepError.cannotPlan(
                step: name, reason: "firewall-cmd --query-port=\(spec) on \(context.host) failed: \(why(probe))")
        }
        let reload = CommandChange(
            host: context.host, argv: ["firewall-cmd", "--reload"], timeout: 60, risk: .reversible,
            summary: text(zh: "重新加载 firewalld 使规则生效", en: "reload firewalld so the rule takes effect", context))
        let remove = CommandChange(
            host: context.host, argv: ["firewall-cmd", "--permanent", "--remove-port=\(spec)"], timeout: 60,
            risk: .reversible, summary: text(zh: "撤销放行 \(spec)", en: "remove the \(spec) rule", context))
        let add = CommandChange(
            host: context.host, argv: ["firewall-cmd", "--permanent", "--add-port=\(spec)"], timeout: 60,
            risk: .reversible, undo: [remove, reload],
            summary: text(zh: "firewalld 永久放行 \(spec)", en: "allow \(spec) in firewalld permanently", context))
        // The reload's own undo is empty: undoing the add already reloads after removing the rule.
        return StepPlan(changes: [.command(add), .command(reload)])
    }

    static func planIptables(port: Int, proto: String, in context: PlanContext) throws -> StepPlan {
        let rule = ["INPUT", "-p", proto, "--dport", String(port), "-j", "ACCEPT"]
        let probe: CommandResult
        do {
            probe = try query(["iptables", "-C"] + rule, in: context)
        } catch let error as ProcessRunnerError {
            if case .notFound = error { throw neitherFirewall(context) }
            throw error
        }
        if probe.exitCode == 127 { throw neitherFirewall(context) }
        if probe.succeeded {
            return StepPlan(notes: [
                text(
                    zh: "\(context.host) 的 iptables 已放行 \(port)/\(proto)，无需修改",
                    en: "iptables on \(context.host) already accepts \(port)/\(proto); nothing to do", context)
            ])
        }
        guard probe.exitCode == 1 else {
            throw StepError.cannotPlan(step: name, reason: "iptables -C on \(context.host) failed: \(why(probe))")
        }
        let delete = CommandChange(
            host: context.host, argv: ["iptables", "-D"] + rule, timeout: 60, risk: .reversible,
            summary: text(zh: "删除放行 \(port)/\(proto) 的规则", en: "delete the rule accepting \(port)/\(proto)", context))
        let insert = CommandChange(
            host: context.host, argv: ["iptables", "-I"] + rule, timeout: 60, risk: .reversible, undo: [delete],
            summary: text(zh: "iptables 放行 \(port)/\(proto)", en: "accept \(port)/\(proto) in iptables", context))
        return StepPlan(changes: [.command(insert)])
    }

    /// A read-only query on the step's own host (the node), not on the control machine.
    static func query(_ argv: [String], in context: PlanContext) throws -> CommandResult {
        try context.transport.run(CommandSpec(argv: argv, timeout: 30), output: nil)
    }

    static func neitherFirewall(_ context: PlanContext) -> StepError {
        .cannotPlan(
            step: name, reason: "\(context.host) has neither an active firewalld nor iptables; open the port by hand")
    }

    static func why(_ result: CommandResult) -> String {
        let message = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "exit status \(result.exitCode)" + (message.isEmpty ? "" : ": \(message)")
    }

    static func text(zh: String, en: String, _ context: PlanContext) -> String {
        Localized(zh: zh, en: en).text(context.language)
    }
}
