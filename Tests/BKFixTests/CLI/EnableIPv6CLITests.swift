import Foundation
import Testing

@testable import BKFix

/// `enable-ipv6` through the binary on two nodes over the real sshd plus the control machine, each with a fake
/// `/proc` under its root and a stand-in `sysctl` that reads and writes it.
@Suite struct EnableIPv6CLITests {
    static let file = "/etc/sysctl.d/90-bkfix-ipv6.conf"

    /// A kernel with IPv6 whose switches are `value`, and a stand-in sysctl that loads files and sets keys under the
    /// host's root, as the real one does under /proc.
    func kernel(_ w: NodeWorld, _ host: String, disabled value: String) throws {
        for key in IPv6State.keys { try w.write(host, IPv6State.procPath(key), value + "\n") }
        try w.write(host, "/proc/cmdline", "BOOT_IMAGE=/vmlinuz-5.4 root=/dev/vda1 ro quiet\n")
        let set = "p=$(echo \"$k\" | tr . /); echo \"$v\" > \"$ROOT/proc/sys/$p\"; echo \"$k = $v\""
        try w.standIn(
            "sysctl", on: host,
            [
                (
                    "-p \(Self.file)",
                    "    grep -v '^#' \"$ROOT\(Self.file)\" | while read k _ v; do \(set); done; exit 0"
                ),
                (
                    "-w net.ipv6.conf.all.disable_ipv6=\(value) net.ipv6.conf.default.disable_ipv6=\(value)",
                    "    for a in \"$2\" \"$3\"; do k=${a%%=*}; v=${a#*=}; \(set); done; exit 0"
                ),
            ])
    }

    func value(_ w: NodeWorld, _ host: String) -> [String?] {
        IPv6State.keys.map { w.read(host, IPv6State.procPath($0))?.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    @Test func itTurnsIPv6OnOnTwoNodesAndTheControlMachineAndRollsBack() async throws {
        let w = try NodeWorld()
        defer { w.cleanup() }
        for host in ["control", "node-1", "node-2"] { try kernel(w, host, disabled: "1") }
        try w.write("node-2", "/etc/sysctl.conf", "vm.swappiness = 0\nnet.ipv6.conf.all.disable_ipv6 = 1\n")

        let plan = try await w.bkfix(["plan", "enable-ipv6", "-p", "node=control,nodes"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("IPv6 is off on node-1: net.ipv6.conf.all.disable_ipv6 = 1"), "\(plan.stdout)")
        #expect(plan.stdout.contains("+++ b\(Self.file)"))
        #expect(plan.stdout.contains("+net.ipv6.conf.default.disable_ipv6 = 0"))
        #expect(plan.stdout.contains("$ sysctl -p \(Self.file)  [reversible]"))
        #expect(
            plan.stdout.contains(
                "undo: sysctl -w net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1"))
        #expect(
            plan.stdout.contains("/etc/sysctl.conf:2 on node-2 is read after \(Self.file) at boot"), "\(plan.stdout)")
        #expect(plan.stdout.contains("3 files, 3 commands (3 reversible) on 3 hosts"), "\(plan.stdout)")
        #expect(w.calls.isEmpty, "planning only reads /proc: \(w.calls)")

        let apply = try await w.bkfix(["apply", "enable-ipv6", "-p", "node=control,nodes", "--yes", "--json"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "applied")
        let verify = try #require(doc["verify"] as? [[String: Any]])
        #expect(verify.count == 3)
        #expect(verify.allSatisfy { $0["ok"] as? Bool == true && $0["check"] as? String == "ipv6" })
        for host in ["control", "node-1", "node-2"] {
            #expect(value(w, host) == ["0", "0"], "\(host)")
            #expect(w.read(host, Self.file)?.contains("net.ipv6.conf.all.disable_ipv6 = 0") == true)
        }
        #expect(w.calls.sorted() == ["control", "node-1", "node-2"].map { "\($0) sysctl -p \(Self.file)" })
        let stat = try await w.sandbox.git(["show", "--stat", "HEAD"])
        #expect(stat.stdout.contains("hosts/node-2\(Self.file)"), "\(stat.stdout)")

        let again = try await w.bkfix(["apply", "enable-ipv6", "-p", "node=control,nodes", "--yes", "--json"])
        #expect(try CLISandbox.json(again.stdout)["status"] as? String == "no-changes", "\(again.stdout)")

        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        for host in ["control", "node-1", "node-2"] {
            #expect(value(w, host) == ["1", "1"], "\(host)")
            #expect(!w.exists(host, Self.file), "\(host)")
        }
        #expect(w.read("node-2", "/etc/sysctl.conf")?.contains("disable_ipv6 = 1") == true)
    }

    @Test func ipv6DisabledOnTheKernelCommandLineChangesNothingAndSaysToReboot() async throws {
        let w = try NodeWorld(nodes: ["node-1"])
        defer { w.cleanup() }
        try w.write("node-1", "/proc/cmdline", "BOOT_IMAGE=/vmlinuz root=/dev/vda1 ro ipv6.disable=1 quiet\n")
        try w.write("node-1", "/proc/sys/net/ipv4/ip_forward", "1\n")
        try w.standIn("sysctl", on: "node-1", [])
        let plan = try await w.bkfix(["apply", "enable-ipv6", "--yes", "--json"])
        #expect(plan.status == 1, "\(plan.stdout) \(plan.stderr)")
        let error = try #require(CLISandbox.json(plan.stdout)["error"] as? [String: Any])
        #expect(error["code"] as? String == "ipv6-disabled-at-boot")
        let message = try #require(error["message"] as? String)
        #expect(message.contains("GRUB_CMDLINE_LINUX"))
        #expect(message.contains("reboot node-1"))
        #expect(w.calls.isEmpty)
        #expect(!w.exists("node-1", Self.file))
        let history = try await w.sandbox.historyRuns()
        #expect(history.isEmpty)
    }

    @Test func anUnreachableNodeStopsThePlanUnlessKeepGoing() async throws {
        let w = try NodeWorld(nodes: ["node-1"], unreachable: "node-3")
        defer { w.cleanup() }
        try kernel(w, "node-1", disabled: "1")
        let strict = try await w.bkfix(["apply", "enable-ipv6", "--yes"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("node-3"), "\(strict.stderr)")
        #expect(!w.exists("node-1", Self.file))

        let going = try await w.bkfix(["apply", "enable-ipv6", "--yes", "--keep-going", "--json"])
        #expect(going.status == 1, "\(going.stdout) \(going.stderr)")
        #expect(try CLISandbox.json(going.stdout)["status"] as? String == "failed")
        #expect(value(w, "node-1") == ["0", "0"])
        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(value(w, "node-1") == ["1", "1"])
    }
}
