import Foundation
import Testing

@testable import BKFix

/// `firewall-port` plans from the node's firewall as it is, with read-only queries only.
@Suite struct FirewallPortStepTests {
    typealias S = HostTestSupport

    func node(_ answer: @escaping @Sendable ([String]) -> CommandResult) -> MemoryTransport {
        MemoryTransport(host: "node-1", readOnly: true, responder: answer)
    }

    func commands(_ plan: StepPlan) -> [CommandChange] {
        plan.changes.compactMap { if case .command(let c) = $0 { c } else { nil } }
    }

    /// A node answering firewalld's queries: the port open at run time and/or in the permanent configuration.
    func firewalld(running: Bool, permanent: Bool) -> MemoryTransport {
        node { argv in
            switch argv {
            case ["systemctl", "is-active", "firewalld"]: return S.ok(argv, "active\n")
            case ["firewall-cmd", "--query-port=10250/tcp"]: return running ? S.ok(argv, "yes\n") : S.fail(argv, 1)
            case ["firewall-cmd", "--permanent", "--query-port=10250/tcp"]:
                return permanent
                    ? S.ok(argv, "yes\n")
                    : CommandResult(
                        argv: argv, exitCode: 1, stdout: "no\n", stderr: "", duration: 0, timedOut: false)
            default: return S.fail(argv, 97, stderr: "unexpected")
            }
        }
    }

    @Test func withFirewalldItAddsThePortAtRunTimeAndPermanentlyWithoutReloadAndUndoRemovesBoth() throws {
        let t = firewalld(running: false, permanent: false)
        let plan = try FirewallPortStep.plan(S.args("firewall-port"), in: S.context(t))
        let cmds = commands(plan)
        #expect(
            cmds.map(\.argv) == [
                ["firewall-cmd", "--add-port=10250/tcp"], ["firewall-cmd", "--permanent", "--add-port=10250/tcp"],
            ])
        #expect(cmds.allSatisfy { $0.host == "node-1" && $0.risk == .reversible })
        #expect(cmds[0].undo.map(\.argv) == [["firewall-cmd", "--remove-port=10250/tcp"]])
        #expect(cmds[1].undo.map(\.argv) == [["firewall-cmd", "--permanent", "--remove-port=10250/tcp"]])
        let everything = cmds.flatMap { [$0.argv] + $0.undo.map(\.argv) + $0.fallbacks }
        #expect(!everything.contains { $0.contains("--reload") }, "a reload drops docker's and kube-proxy's chains")
        #expect(
            t.commands == [
                ["systemctl", "is-active", "firewalld"], ["firewall-cmd", "--query-port=10250/tcp"],
                ["firewall-cmd", "--permanent", "--query-port=10250/tcp"],
            ])
    }

    @Test func withFirewalldOnlyTheMissingHalfIsPlanned() throws {
        let savedOnly = try FirewallPortStep.plan(
            S.args("firewall-port"), in: S.context(firewalld(running: false, permanent: true)))
        #expect(commands(savedOnly).map(\.argv) == [["firewall-cmd", "--add-port=10250/tcp"]])
        let runningOnly = try FirewallPortStep.plan(
            S.args("firewall-port"), in: S.context(firewalld(running: true, permanent: false)))
        #expect(commands(runningOnly).map(\.argv) == [["firewall-cmd", "--permanent", "--add-port=10250/tcp"]])
        let both = try FirewallPortStep.plan(
            S.args("firewall-port"), in: S.context(firewalld(running: true, permanent: true)))
        #expect(both.changes.isEmpty)
        #expect(both.notes.first?.contains("already allows 10250/tcp") == true)
    }

    /// A node without firewalld; `enabled` names the persistence service `systemctl is-enabled` reports enabled.
    func iptablesNode(ruleRunning: Bool, enabled: String?, port: Int = 6443) -> MemoryTransport {
        node { argv in
            switch argv {
            case ["systemctl", "is-active", "firewalld"]: return S.fail(argv, 3)
            case ["iptables", "-C", "INPUT", "-p", "tcp", "--dport", String(port), "-j", "ACCEPT"]:
                return ruleRunning ? S.ok(argv) : S.fail(argv, 1)
            case ["systemctl", "is-enabled", "netfilter-persistent"], ["systemctl", "is-enabled", "iptables"]:
                return argv[2] == enabled ? S.ok(argv, "enabled\n") : S.fail(argv, 1)
            default: return S.fail(argv, 97, stderr: "unexpected")
            }
        }
    }

    static let rhelRules = """
        # sample configuration for iptables service
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
        -A INPUT -j REJECT --reject-with icmp-host-prohibited
        COMMIT

        """

    @Test func withoutPersistenceTheRuleIsInsertedAndThePlanSaysItWillNotSurviveAReboot() throws {
        let t = iptablesNode(ruleRunning: false, enabled: nil)
        let plan = try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("6443")]), in: S.context(t))
        let cmds = commands(plan)
        #expect(cmds.map(\.argv) == [["iptables", "-I", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "ACCEPT"]])
        #expect(
            cmds[0].undo.map(\.argv) == [["iptables", "-D", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "ACCEPT"]])
        #expect(plan.changes.count == 1)
        #expect(plan.notes.contains { $0.contains("will not survive a reboot") }, "\(plan.notes)")
    }

    @Test func onTheRHELFamilyTheRuleIsAlsoAddedFirstInINPUTOfTheSavedRules() throws {
        let t = iptablesNode(ruleRunning: false, enabled: "iptables")
        t.setFile("/etc/sysconfig/iptables", Data(Self.rhelRules.utf8), mode: 0o600)
        let plan = try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("6443")]), in: S.context(t))
        #expect(commands(plan).map { $0.argv[1] } == ["-I"])
        let file = try #require(S.fileChanges(plan).first)
        #expect(file.path == "/etc/sysconfig/iptables")
        #expect(file.afterMeta?.mode == 0o600)
        let expected = Self.rhelRules.replacingOccurrences(
            of: ":OUTPUT ACCEPT [0:0]\n", with: ":OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 6443 -j ACCEPT\n")
        #expect(String(decoding: file.after ?? Data(), as: UTF8.self) == expected)
        #expect(!plan.notes.contains { $0.contains("reboot") && $0.contains("not") })
        #expect(t.writes.isEmpty)
    }

    @Test func onDebianAMissingRulesFileIsCreatedWithAFilterTable() throws {
        let t = iptablesNode(ruleRunning: false, enabled: "netfilter-persistent")
        let plan = try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("6443")]), in: S.context(t))
        let file = try #require(S.fileChanges(plan).first)
        #expect(file.path == "/etc/iptables/rules.v4")
        #expect(file.before == nil)
        #expect(
            String(decoding: file.after ?? Data(), as: UTF8.self)
                == "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + "-A INPUT -p tcp -m tcp --dport 6443 -j ACCEPT\nCOMMIT\n")
    }

    @Test func aRuleRunningButNotSavedIsOnlySavedAndOneSavedIsLeftAlone() throws {
        let t = iptablesNode(ruleRunning: true, enabled: "iptables")
        t.setFile("/etc/sysconfig/iptables", Data(Self.rhelRules.utf8), mode: 0o600)
        let plan = try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("6443")]), in: S.context(t))
        #expect(commands(plan).isEmpty)
        #expect(S.fileChanges(plan).count == 1)
        let saved = Self.rhelRules.replacingOccurrences(
            of: "COMMIT", with: "-A INPUT -p tcp --dport 6443 -j ACCEPT\nCOMMIT")
        t.setFile("/etc/sysconfig/iptables", Data(saved.utf8), mode: 0o600)
        let again = try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("6443")]), in: S.context(t))
        #expect(again.changes.isEmpty)
        #expect(again.notes.contains { $0.contains("already accepts 6443/tcp") })
    }

    @Test func aBrokenRulesFileIsRefusedWithItsLine() {
        let t = iptablesNode(ruleRunning: false, enabled: "iptables")
        t.setFile("/etc/sysconfig/iptables", Data("*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n".utf8))
        #expect {
            try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("6443")]), in: S.context(t))
        } throws: { error in
            guard case .cannotPlan(_, let reason) = error as? StepError else { return false }
            return reason.contains("/etc/sysconfig/iptables:1: *filter is never closed by COMMIT")
                && reason.contains("node-1")
        }
    }

    @Test func anOpenPortPlansNothing() throws {
        let iptables = node { argv in argv[0] == "systemctl" ? S.fail(argv, 3) : S.ok(argv) }
        let b = try FirewallPortStep.plan(S.args("firewall-port"), in: S.context(iptables))
        #expect(b.changes.isEmpty)
        #expect(b.notes.contains { $0.contains("already accepts 10250/tcp") })
    }

    @Test func noFirewallToolIsACannotPlanError() {
        let t = node { argv in argv[0] == "systemctl" ? S.fail(argv, 3) : S.fail(argv, 127, stderr: "not found") }
        #expect(
            throws: StepError.cannotPlan(
                step: "firewall-port",
                reason: "node-1 has neither an active firewalld nor iptables; open the port by hand")
        ) {
            try FirewallPortStep.plan(S.args("firewall-port"), in: S.context(t))
        }
    }

    @Test func iptablesErrorsOtherThanNoSuchRuleStopThePlan() {
        let t = node { argv in
            argv[0] == "systemctl"
                ? S.fail(argv, 3) : S.fail(argv, 4, stderr: "iptables: Permission denied (you must be root)")
        }
        #expect {
            try FirewallPortStep.plan(S.args("firewall-port"), in: S.context(t))
        } throws: { error in
            guard case .cannotPlan(_, let reason) = error as? StepError else { return false }
            return reason.contains("Permission denied") && reason.contains("node-1")
        }
    }

    @Test func aBadPortIsRefused() {
        let t = node { S.ok($0) }
        #expect(
            throws: StepError.badArgument(
                step: "firewall-port", key: "port", reason: "expected a port from 1 to 65535, got 99999")
        ) {
            try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("99999")]), in: S.context(t))
        }
    }

    @Test func tcpPortCheckSeesAListenerAndAClosedPort() throws {
        let sshd = try SSHDServer()
        defer { sshd.stop() }
        let control = MemoryTransport()
        let open = try TCPPortCheck.check(
            S.args("tcp-port", ["port": .string(String(sshd.port))]), in: S.context(control))
        #expect(open.ok, "\(open.detail)")
        let closedPort = try SSHDServer.freePort()
        let closed = try TCPPortCheck.check(
            S.args("tcp-port", ["port": .string(String(closedPort)), "timeout": .string("1")]), in: S.context(control))
        #expect(!closed.ok)
        #expect(closed.detail.contains("127.0.0.1:\(closedPort)"))
        #expect(closed.detail.lowercased().contains("refused"))
    }
}
