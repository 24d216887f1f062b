import Foundation
import Testing

@testable import BKFix

/// open-kubelet-port with iptables through the real binary, on a node over the real sshd and on the control
/// machine: the rule is inserted at run time and added to the boot-time rules file, and rollback removes both.
/// Stand-ins for firewall-cmd, iptables-save and netfilter-persistent fail loudly if bkfix ever calls them.
@Suite struct FirewallCLITests {
    /// The RHEL family's stock rules file, shared with the step's unit tests.
    static let rhelRules = FirewallPortStepTests.rhelRules

    static func iptablesAnswers(_ rule: String) -> [String: (stdout: String, status: Int32)] {
        ["-C \(rule)": ("", 1), "-I \(rule)": ("", 0), "-D \(rule)": ("", 0)]
    }

    @Test func onANodeOfTheRHELFamilyTheRuleIsInsertedAndSavedAndRollbackRemovesBoth() async throws {
        let w = try SSHNodesCLITests.World()
        defer { w.cleanup() }
        let port = w.sshd.port
        let rule = "INPUT -p tcp --dport \(port) -j ACCEPT"
        try w.nodeStandIn(
            "systemctl",
            [
                "is-active firewalld": ("inactive\n", 3), "is-enabled netfilter-persistent": ("", 1),
                "is-enabled iptables": ("enabled\n", 0),
            ])
        try w.nodeStandIn("iptables", Self.iptablesAnswers(rule))
        for tool in ["firewall-cmd", "iptables-save", "netfilter-persistent"] { try w.nodeStandIn(tool, [:]) }
        try w.writeNodeFile("node-1", "/etc/sysconfig/iptables", Self.rhelRules, mode: 0o600)

        let plan = try await w.bkfix(["plan", "open-kubelet-port", "-p", "node=node-1", "-p", "port=\(port)"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("$ iptables -I \(rule)  [reversible]"), "\(plan.stdout)")
        #expect(plan.stdout.contains("+-A INPUT -p tcp -m tcp --dport \(port) -j ACCEPT"), "\(plan.stdout)")
        #expect(plan.stdout.contains("iptables loads this file at boot"), "\(plan.stdout)")
        #expect(w.nodeFile("node-1", "/etc/sysconfig/iptables") == Self.rhelRules)

        let apply = try await w.bkfix([
            "apply", "open-kubelet-port", "-p", "node=node-1", "-p", "port=\(port)", "--yes",
        ])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        let saved = Self.rhelRules.replacingOccurrences(
            of: "-A INPUT -m state", with: "-A INPUT -p tcp -m tcp --dport \(port) -j ACCEPT\n-A INPUT -m state")
        #expect(w.nodeFile("node-1", "/etc/sysconfig/iptables") == saved)
        #expect(w.nodeMode("node-1", "/etc/sysconfig/iptables") == 0o600)
        #expect(
            w.nodeCalls.filter { $0.hasPrefix("iptables -I") || $0.hasPrefix("iptables -D") } == ["iptables -I \(rule)"]
        )

        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(w.nodeFile("node-1", "/etc/sysconfig/iptables") == Self.rhelRules)
        #expect(w.nodeMode("node-1", "/etc/sysconfig/iptables") == 0o600)
        #expect(w.nodeCalls.last == "iptables -D \(rule)")
        #expect(!w.nodeCalls.contains { $0.hasPrefix("firewall-cmd") || $0.hasPrefix("iptables-save") })
        #expect(!w.nodeCalls.contains { $0.hasPrefix("netfilter-persistent") })
    }

    @Test func onControlWithNetfilterPersistentTheRulesFileIsCreatedAndRollbackRemovesIt() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let rule = "INPUT -p tcp --dport \(server.port) -j ACCEPT"
        try s.standIn(
            "systemctl",
            answers: [
                "is-active firewalld": ("unknown\n", 3), "is-enabled netfilter-persistent": ("enabled\n", 0),
            ])
        try s.standIn("iptables", answers: Self.iptablesAnswers(rule))
        for tool in ["firewall-cmd", "iptables-save", "netfilter-persistent"] { try s.standIn(tool) }

        let apply = try await s.bkfix([
            "apply", "open-kubelet-port", "-p", "node=control", "-p", "port=\(server.port)", "--yes", "--json",
        ])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        #expect(
            s.readText("/etc/iptables/rules.v4")
                == "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
                + "-A INPUT -p tcp -m tcp --dport \(server.port) -j ACCEPT\nCOMMIT\n")
        #expect(s.mode("/etc/iptables/rules.v4") == 0o600)
        let doc = try CLISandbox.json(apply.stdout)
        #expect((doc["verify"] as? [[String: Any]])?.first?["ok"] as? Bool == true)

        let rollback = try await s.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(s.read("/etc/iptables/rules.v4") == nil)
        #expect(
            s.calls.filter { $0.hasPrefix("iptables ") } == [
                "iptables -C \(rule)", "iptables -I \(rule)", "iptables -D \(rule)",
            ])
        #expect(!s.calls.contains { $0.hasPrefix("firewall-cmd") || $0.hasPrefix("iptables-save") })
        #expect(!s.calls.contains { $0.hasPrefix("netfilter-persistent") })
    }

    @Test func aHostWithoutPersistenceIsToldTheRuleWillNotSurviveAReboot() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        let rule = "INPUT -p tcp --dport 10250 -j ACCEPT"
        try s.standIn(
            "systemctl",
            answers: [
                "is-active firewalld": ("inactive\n", 3), "is-enabled netfilter-persistent": ("", 1),
                "is-enabled iptables": ("", 1),
            ])
        try s.standIn("iptables", answers: Self.iptablesAnswers(rule))
        let plan = try await s.bkfix(["plan", "open-kubelet-port", "-p", "node=control"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("the rule will not survive a reboot"), "\(plan.stdout)")
        #expect(plan.stdout.contains("0 files, 1 command (1 reversible) on 1 host"), "\(plan.stdout)")
    }
}
