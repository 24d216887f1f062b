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

    @Test func withFirewalldItAddsThePermanentPortAndReloadsAndUndoRemovesIt() throws {
        let t = node { argv in
            switch argv {
            case ["systemctl", "is-active", "firewalld"]: return S.ok(argv, "active\n")
            case ["firewall-cmd", "--query-port=10250/tcp"]: return S.fail(argv, 1)
            default: return S.fail(argv, 97, stderr: "unexpected")
            }
        }
        let plan = try FirewallPortStep.plan(S.args("firewall-port"), in: S.context(t))
        let cmds = commands(plan)
        #expect(
            cmds.map(\.argv) == [
                ["firewall-cmd", "--permanent", "--add-port=10250/tcp"], ["firewall-cmd", "--reload"],
            ])
        #expect(cmds.allSatisfy { $0.host == "node-1" && $0.risk == .reversible })
        #expect(
            cmds[0].undo.map(\.argv) == [
                ["firewall-cmd", "--permanent", "--remove-port=10250/tcp"], ["firewall-cmd", "--reload"],
            ])
        #expect(t.commands == [["systemctl", "is-active", "firewalld"], ["firewall-cmd", "--query-port=10250/tcp"]])
    }

    @Test func withoutFirewalldItInsertsAnIptablesRuleUndoneByDelete() throws {
        let t = node { argv in
            switch argv {
            case ["systemctl", "is-active", "firewalld"]: return S.fail(argv, 3)
            case ["iptables", "-C", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "ACCEPT"]: return S.fail(argv, 1)
            default: return S.fail(argv, 97, stderr: "unexpected")
            }
        }
        let plan = try FirewallPortStep.plan(S.args("firewall-port", ["port": .string("6443")]), in: S.context(t))
        let cmds = commands(plan)
        #expect(cmds.map(\.argv) == [["iptables", "-I", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "ACCEPT"]])
        #expect(
            cmds[0].undo.map(\.argv) == [["iptables", "-D", "INPUT", "-p", "tcp", "--dport", "6443", "-j", "ACCEPT"]])
    }

    @Test func anOpenPortPlansNothing() throws {
        let firewalld = node { argv in
            argv[0] == "systemctl" ? S.ok(argv, "active\n") : S.ok(argv, "yes\n")
        }
        let a = try FirewallPortStep.plan(S.args("firewall-port"), in: S.context(firewalld))
        #expect(a.changes.isEmpty)
        #expect(a.notes.first?.contains("already allows 10250/tcp") == true)
        let iptables = node { argv in argv[0] == "systemctl" ? S.fail(argv, 3) : S.ok(argv) }
        let b = try FirewallPortStep.plan(S.args("firewall-port"), in: S.context(iptables))
        #expect(b.changes.isEmpty)
        #expect(b.notes.first?.contains("already accepts 10250/tcp") == true)
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
