import Foundation
import Testing

@testable import BKFix

/// The readers behind the node playbooks, on the output shapes the real tools print.
@Suite struct NodeProbeTests {
    typealias S = HostTestSupport

    @Test func clockAnswersWithAndWithoutNanoseconds() {
        #expect(ClockOffset.parse("1733380000.123456789") == 1_733_380_000.123456789)
        #expect(ClockOffset.parse("1733380000.N") == 1_733_380_000, "busybox date has no %N")
        #expect(ClockOffset.parse("1733380000.%N") == 1_733_380_000)
        #expect(ClockOffset.parse("date: invalid format") == nil)
        #expect(ClockOffset.parse("") == nil)
    }

    @Test func theClockShiftKnobIsInertUnlessSetAndReadsOnlyItsHost() throws {
        let file = try Fixtures.tempDir("clock-shift").appendingPathComponent("shift")
        try Data("node-2 62\nnode-10 -3.5\n".utf8).write(to: file)
        let env = [ClockOffset.shiftVariable: file.path]
        #expect(ClockOffset.shift(for: "node-2", environment: env) == 62)
        #expect(ClockOffset.shift(for: "node-10", environment: env) == -3.5)
        #expect(ClockOffset.shift(for: "node-1", environment: env) == 0)
        #expect(ClockOffset.shift(for: "node-2", environment: [:]) == 0)
    }

    @Test func aClockRowSaysTheOffsetTheRoundTripAndTheVerdict() {
        let off = ClockReading(host: "node-2", offset: 62.0041, roundTrip: 0.0123)
        #expect(
            off.row(maxSkew: 1, language: .en)
                == "clock node-2       +62.004 s  (round trip 12 ms)  off by more than 1 s")
        #expect(
            ClockReading(host: "control", offset: -0.2, roundTrip: 0.001).row(maxSkew: 0.5, language: .en)
                .hasSuffix("in sync (within 0.5 s)"))
        #expect(off.row(maxSkew: 1, language: .zh).contains("偏差超过 1 秒"))
        let slow = ClockReading(host: "node-1", offset: 1.5, roundTrip: 2)
        #expect(!slow.isOff(maxSkew: 1) && !slow.isInSync(maxSkew: 1), "1.5 s ± 1 s: maybe in sync, maybe not")
        #expect(slow.row(maxSkew: 1, language: .en).hasSuffix("cannot tell: the round trip is too long (left alone)"))
        #expect(ClockReading(host: "node-2", offset: 62, roundTrip: 4).isOff(maxSkew: 1), "62 s ± 2 s is off")
    }

    @Test func ntpStateFromEveryTimedatectlGeneration() {
        #expect(TimeSyncStep.ntpEnabled("      Local time: Thu\n     NTP enabled: no\nNTP synchronized: no\n") == false)
        #expect(TimeSyncStep.ntpEnabled("System clock synchronized: yes\n              NTP service: active\n") == true)
        #expect(TimeSyncStep.ntpEnabled("Network time on: yes\n") == true)
        #expect(TimeSyncStep.ntpEnabled("              NTP service: n/a\n") == nil, "no NTP service to turn on")
        #expect(TimeSyncStep.ntpEnabled("") == nil)
    }

    @Test func aChronydThatIsEnabledButStoppedIsStartedAndUndoStopsItOnly() throws {
        let node = MemoryTransport(host: "node-1", readOnly: true) { argv in
            switch argv {
            case ["date", "+%s.%N"]: return S.ok(argv, String(format: "%.9f\n", Date().timeIntervalSince1970 + 30))
            case ["systemctl", "is-enabled", "chronyd"]: return S.ok(argv, "enabled\n")
            case ["systemctl", "is-active", "chronyd"]: return S.fail(argv, 3)
            default: return S.fail(argv, 97, stderr: "unexpected")
            }
        }
        let plan = try TimeSyncStep.plan(S.args("time-sync"), in: S.context(node))
        let commands = S.commandChanges(plan)
        #expect(commands.map(\.argv) == [["systemctl", "enable", "--now", "chronyd"], ["chronyc", "makestep"]])
        #expect(commands[0].undo.map(\.argv) == [["systemctl", "stop", "chronyd"]])
        #expect(commands[1].risk == .irreversible && commands[1].undo.isEmpty)
        #expect(plan.notes.first?.contains("+30.") == true)
    }

    @Test func dfOutputIsReadWithSpacesInTheMountPoint() {
        let out = """
            Filesystem     1-blocks        Used   Available Capacity Mounted on
            /dev/vdb    53687091200 42949672960 10737418240      80% /mnt/local data

            """
        let df = DiskFree.parse(out)
        #expect(
            df
                == DiskFree(
                    filesystem: "/dev/vdb", size: 53_687_091_200, available: 10_737_418_240,
                    mountedOn: "/mnt/local data"))
        #expect(DiskFree.parse("df: .: No such file or directory\n") == nil)
    }

    @Test func aClaimBelongsToItsReleaseByLabelOrByName() {
        let labelled = ClaimRequest(
            namespace: "blueking", name: "data-0", phase: "Pending", storageClass: nil, request: "50Gi",
            labels: ["app.kubernetes.io/instance": "bk-mysql"])
        #expect(labelled.belongs(to: "bk-mysql"))
        #expect(!labelled.belongs(to: "bk-mysql-mysql"))
        let named = ClaimRequest(
            namespace: "blueking", name: "data-bk-mysql-mysql-0", phase: "Pending", storageClass: nil,
            request: "50Gi", labels: [:])
        #expect(named.belongs(to: "bk-mysql"))
        #expect(!named.belongs(to: "bk-my"))
        #expect(named.bytes.map { Int($0.rounded()) } == 50 * 1_073_741_824)
    }

    @Test func severalSizeKeysArePickedByThePendingClaimsComponentOrRefused() throws {
        let sizes = [
            PersistenceSize(path: ["master", "persistence", "size"], raw: "10Gi", size: "10Gi", file: "a"),
            PersistenceSize(path: ["data", "persistence", "size"], raw: "90Gi", size: "90Gi", file: "a"),
        ]
        let claim = ClaimRequest(
            namespace: "blueking", name: "data-bk-elastic-data-0", phase: "Pending", storageClass: nil,
            request: "90Gi", labels: ["app.kubernetes.io/component": "data"])
        #expect(
            try PersistenceSizeStep.sizePath(sizes, component: nil, pending: [claim], release: "bk-elastic")
                == ["data", "persistence", "size"])
        #expect(
            try PersistenceSizeStep.sizePath(sizes, component: "master", pending: [], release: "bk-elastic")
                == ["master", "persistence", "size"])
        #expect(throws: StepError.self) {
            try PersistenceSizeStep.sizePath(sizes, component: nil, pending: [], release: "bk-elastic")
        }
        #expect(
            try PersistenceSizeStep.sizePath([], component: nil, pending: [], release: "x") == ["persistence", "size"])
    }

    @Test func nslookupAnswersOfBindAndBusybox() {
        func result(_ code: Int32, _ out: String, timedOut: Bool = false) -> CommandResult {
            CommandResult(argv: ["nslookup"], exitCode: code, stdout: out, stderr: "", duration: 0, timedOut: timedOut)
        }
        let bind =
            "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\nName:\tx.blueking.svc.cluster.local\nAddress: 10.244.1.17\n"
        #expect(NodeDNSProbe.outcome(result(0, bind)) == .resolves("10.244.1.17"))
        let busybox =
            "Server:    10.96.0.10\nAddress 1: 10.96.0.10 kube-dns.kube-system.svc.cluster.local\n\nName:      x\nAddress 1: 10.244.1.17 x\n"
        #expect(NodeDNSProbe.outcome(result(0, busybox)) == .resolves("10.244.1.17 x"))
        #expect(NodeDNSProbe.outcome(result(1, ";; connection timed out; no servers could be reached\n")) == .timesOut)
        #expect(NodeDNSProbe.outcome(result(-1, "", timedOut: true)) == .timesOut)
        #expect(
            NodeDNSProbe.outcome(result(1, "Server:\t\t10.96.0.10\n\n** server can't find nope: NXDOMAIN\n"))
                == .notFound("** server can't find nope: NXDOMAIN"))
    }

    @Test func theKernelCommandLineDecidesWhyIPv6IsMissing() throws {
        let boot = MemoryTransport(
            host: "node-1", files: ["/proc/cmdline": "ro quiet ipv6.disable=1\n"], readOnly: true)
        #expect(throws: HostStateError.ipv6DisabledAtBoot(host: "node-1")) {
            try EnableIPv6Step.plan(S.args("enable-ipv6"), in: S.context(boot))
        }
        let module = MemoryTransport(host: "node-1", files: ["/proc/cmdline": "ro quiet\n"], readOnly: true)
        #expect(throws: HostStateError.ipv6Unavailable(host: "node-1")) {
            try EnableIPv6Step.plan(S.args("enable-ipv6"), in: S.context(module))
        }
        let on = MemoryTransport(
            host: "node-1",
            files: [
                "/proc/sys/net/ipv6/conf/all/disable_ipv6": "0\n",
                "/proc/sys/net/ipv6/conf/default/disable_ipv6": "0\n",
            ], readOnly: true)
        let plan = try EnableIPv6Step.plan(S.args("enable-ipv6"), in: S.context(on))
        #expect(plan.changes.isEmpty)
        #expect(plan.notes.first?.hasPrefix("IPv6 is on on node-1") == true)
    }
}
