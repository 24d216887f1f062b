import Foundation

/// `firewall-port`: open a TCP port on a node's firewall (the kubelet's 10250 for `kubelet-unreachable`), now and
/// after a reboot, without disturbing the rules others added. Nothing is planned when the port is already open.
///
/// - firewalld (`systemctl is-active firewalld` says active): `firewall-cmd --add-port` for the running firewall and
///   `firewall-cmd --permanent --add-port` for the saved configuration, each only where missing and each undone by
///   its `--remove-port`. Never `--reload`: with the iptables backend a reload drops the chains docker and kube-proxy
///   added at run time.
/// - otherwise iptables: `iptables -I INPUT ... -j ACCEPT`, undone by `iptables -D`. Where the host restores rules
///   at boot (the `netfilter-persistent` service with `/etc/iptables/rules.v4` on Debian, the `iptables` service
///   with `/etc/sysconfig/iptables` on the RHEL family), the same rule is added to that file as a file change: the
///   plan shows its diff, apply pins it, rollback puts back its exact bytes. (`netfilter-persistent save` or
///   `iptables-save` would persist the whole running ruleset, kube-proxy's and docker's chains included, and a
///   rollback by saving again would persist whatever changed meanwhile.) Without such a service the plan says the
///   rule will not survive a reboot.
public enum FirewallPortStep: StepKind {
    public static let name = "firewall-port"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["port", "protocol"]

    /// The boot-time persistence services bkfix knows and the rules file each restores.
    public static let persistence: [(service: String, file: String)] = [
        ("netfilter-persistent", "/etc/iptables/rules.v4"), ("iptables", "/etc/sysconfig/iptables"),
    ]

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
        let running = try firewalldAllows(spec, permanent: false, in: context)
        let saved = try firewalldAllows(spec, permanent: true, in: context)
        if running && saved {
            return StepPlan(notes: [
                text(
                    zh: "\(context.host) 的 firewalld 已放行 \(spec)（运行时与永久配置），无需修改",
                    en: "firewalld on \(context.host) already allows \(spec) (running and permanent); nothing to do",
                    context)
            ])
        }
        var changes: [Change] = []
        if !running {
            let remove = CommandChange(
                host: context.host, argv: ["firewall-cmd", "--remove-port=\(spec)"], timeout: 60, risk: .reversible,
                summary: text(zh: "撤销运行时放行 \(spec)", en: "remove \(spec) from the running firewall", context))
            changes.append(
                .command(
                    CommandChange(
                        host: context.host, argv: ["firewall-cmd", "--add-port=\(spec)"], timeout: 60,
                        risk: .reversible, undo: [remove],
                        summary: text(
                            zh: "firewalld 运行时放行 \(spec)（不重新加载）",
                            en: "allow \(spec) in the running firewalld (no reload)", context))))
        }
        if !saved {
            let remove = CommandChange(
                host: context.host, argv: ["firewall-cmd", "--permanent", "--remove-port=\(spec)"], timeout: 60,
                risk: .reversible,
                summary: text(zh: "撤销永久放行 \(spec)", en: "remove \(spec) from the permanent configuration", context))
            changes.append(
                .command(
                    CommandChange(
                        host: context.host, argv: ["firewall-cmd", "--permanent", "--add-port=\(spec)"], timeout: 60,
                        risk: .reversible, undo: [remove],
                        summary: text(
                            zh: "firewalld 永久配置放行 \(spec)（重启后仍有效）",
                            en: "allow \(spec) in firewalld's permanent configuration (kept after a reboot)", context)
                    )))
        }
        return StepPlan(changes: changes)
    }

    /// `firewall-cmd [--permanent] --query-port=SPEC`: `yes` (exit 0) or `no` (exit 1); anything else stops the plan.
    static func firewalldAllows(_ spec: String, permanent: Bool, in context: PlanContext) throws -> Bool {
        let argv = ["firewall-cmd"] + (permanent ? ["--permanent"] : []) + ["--query-port=\(spec)"]
        let probe = try query(argv, in: context)
        let answer = probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        if probe.exitCode == 0 && answer == "yes" { return true }
        guard answer == "no" || (probe.exitCode == 1 && answer.isEmpty) else {
            throw StepError.cannotPlan(
                step: name, reason: "\(argv.joined(separator: " ")) on \(context.host) failed: \(why(probe))")
        }
        return false
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
        guard probe.succeeded || probe.exitCode == 1 else {
            throw StepError.cannotPlan(step: name, reason: "iptables -C on \(context.host) failed: \(why(probe))")
        }
        let running = probe.succeeded
        var changes: [Change] = []
        var notes: [String] = []
        if !running {
            let delete = CommandChange(
                host: context.host, argv: ["iptables", "-D"] + rule, timeout: 60, risk: .reversible,
                summary: text(
                    zh: "删除放行 \(port)/\(proto) 的规则", en: "delete the rule accepting \(port)/\(proto)", context))
            changes.append(
                .command(
                    CommandChange(
                        host: context.host, argv: ["iptables", "-I"] + rule, timeout: 60, risk: .reversible,
                        undo: [delete],
                        summary: text(
                            zh: "iptables 放行 \(port)/\(proto)", en: "accept \(port)/\(proto) in iptables", context))))
        }
        if let store = try bootPersistence(in: context) {
            let snapshot = try context.transport.read(store.file)
            let rules: IptablesRules
            do {
                rules = try IptablesRules(file: store.file, data: snapshot?.data ?? Data())
            } catch {
                throw StepError.cannotPlan(step: name, reason: "\(error.message) (on \(context.host))")
            }
            if !rules.accepts(port: port, proto: proto) {
                let after = rules.inserting(IptablesRules.acceptLine(port: port, proto: proto))
                changes.append(
                    .file(
                        FileChange(
                            host: context.host, path: store.file, before: snapshot?.data, after: after,
                            beforeMeta: snapshot?.meta,
                            afterMeta: snapshot?.meta ?? FileMeta(mode: 0o600, uid: 0, gid: 0),
                            notes: [
                                text(
                                    zh: "\(store.service) 开机时加载此文件，规则重启后仍有效",
                                    en: "\(store.service) loads this file at boot, so the rule survives a reboot",
                                    context)
                            ])))
            }
        } else {
            notes.append(
                text(
                    zh: "\(context.host) 没有开机加载 iptables 规则的服务（netfilter-persistent 或 iptables 均未启用）：此规则重启后将失效",
                    en:
                        "\(context.host) has no service that restores iptables rules at boot (neither netfilter-persistent nor "
                        + "iptables is enabled): the rule will not survive a reboot", context))
        }
        if changes.isEmpty {
            notes.append(
                text(
                    zh: "\(context.host) 的 iptables 已放行 \(port)/\(proto)，无需修改",
                    en: "iptables on \(context.host) already accepts \(port)/\(proto); nothing to do", context))
        }
        return StepPlan(changes: changes, notes: notes)
    }

    /// The first known persistence service that `systemctl is-enabled` reports enabled, with its rules file.
    static func bootPersistence(in context: PlanContext) throws -> (service: String, file: String)? {
        for candidate in persistence {
            let result: CommandResult
            do {
                result = try query(["systemctl", "is-enabled", candidate.service], in: context)
            } catch let error as ProcessRunnerError {
                if case .notFound = error { return nil }  // no systemd
                throw error
            }
            if result.succeeded && result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "enabled" {
                return candidate
            }
        }
        return nil
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
