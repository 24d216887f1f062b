import Foundation
import Testing

@testable import BKFix

/// `time-sync` through the binary on two nodes over the real sshd (and the control machine): the clocks are measured
/// with the real `date` over ssh; a node's clock is played 62 s off through the test-only `BKFIX_TEST_CLOCK_SHIFT`
/// file, which the stand-in `chronyc makestep` / `timedatectl set-ntp true` clears, as stepping the clock would.
@Suite struct TimeSyncCLITests {
    /// chronyd installed on `host` with the given states; `makestep` (only while chronyd runs) clears the shift.
    func chrony(_ w: NodeWorld, on host: String, enabled: String = "disabled", active: String = "inactive") throws {
        try w.setState(host, "chronyd-enabled", enabled)
        try w.setState(host, "chronyd-active", active)
        let set = { (e: String, a: String) in
            "    echo \(e) > \"$STATE/chronyd-enabled\"; echo \(a) > \"$STATE/chronyd-active\"; exit 0"
        }
        try w.standIn(
            "systemctl", on: host,
            [
                (
                    "is-enabled chronyd",
                    "    s=$(cat \"$STATE/chronyd-enabled\"); echo \"$s\"; [ \"$s\" = enabled ] && exit 0; exit 1"
                ),
                (
                    "is-active chronyd",
                    "    s=$(cat \"$STATE/chronyd-active\"); echo \"$s\"; [ \"$s\" = active ] && exit 0; exit 3"
                ),
                ("enable --now chronyd", set("enabled", "active")),
                ("disable --now chronyd", set("disabled", "inactive")),
                ("disable chronyd", "    echo disabled > \"$STATE/chronyd-enabled\"; exit 0"),
                ("stop chronyd", "    echo inactive > \"$STATE/chronyd-active\"; exit 0"),
            ])
        try w.standIn(
            "chronyc", on: host,
            [
                (
                    "makestep",
                    """
                        [ "$(cat "$STATE/chronyd-active")" = active ] || { echo '506 Cannot talk to daemon' >&2; exit 1; }
                        grep -v '^\(host) ' "$SHIFT" > "$SHIFT.tmp"; mv "$SHIFT.tmp" "$SHIFT"; echo '200 OK'; exit 0
                    """
                )
            ])
    }

    /// No chronyd on `host`: systemd's NTP through timedatectl, off at first; turning it on clears the shift.
    func timedatectl(_ w: NodeWorld, on host: String) throws {
        try w.setState(host, "ntp", "inactive")
        try w.standIn(
            "systemctl", on: host,
            [
                (
                    "is-enabled chronyd",
                    "    echo 'Failed to get unit file state for chronyd.service: No such file or directory' >&2; exit 1"
                )
            ])
        try w.standIn(
            "timedatectl", on: host,
            [
                (
                    "status",
                    """
                        echo '               Local time: Thu 2024-12-05 14:00:00 CST'
                        echo 'System clock synchronized: no'
                        echo "              NTP service: $(cat "$STATE/ntp")"
                        echo '          RTC in local TZ: no'; exit 0
                    """
                ),
                (
                    "set-ntp true",
                    """
                        echo active > "$STATE/ntp"
                        grep -v '^\(host) ' "$SHIFT" > "$SHIFT.tmp"; mv "$SHIFT.tmp" "$SHIFT"; exit 0
                    """
                ),
                ("set-ntp false", "    echo inactive > \"$STATE/ntp\"; exit 0"),
            ])
    }

    /// Calls that change a host: everything but the read-only state queries.
    func mutating(_ calls: [String]) -> [String] {
        calls.filter { call in
            !["systemctl is-enabled ", "systemctl is-active ", "timedatectl status"].contains { call.contains($0) }
        }
    }

    @Test func aNode62SecondsOffIsFoundFixedVerifiedAndRolledBack() async throws {
        let w = try NodeWorld()
        defer { w.cleanup() }
        try chrony(w, on: "node-1", enabled: "enabled", active: "active")
        try chrony(w, on: "node-2")
        try w.setClockShift(["node-2": 62])

        let plan = try await w.bkfix(["plan", "time-sync", "-p", "targets=control,nodes"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let rows = plan.stdout.split(separator: "\n").filter { $0.hasPrefix("note: clock ") }
        #expect(rows.count == 3, "\(plan.stdout)")
        // On a loaded machine a round trip can be too long to call a host in sync; it is never called off.
        #expect(rows.contains { $0.contains("control") && !$0.contains("off by more") }, "\(plan.stdout)")
        #expect(rows.contains { $0.contains("node-1") && !$0.contains("off by more") }, "\(plan.stdout)")
        let off = rows.first { $0.contains("node-2") } ?? ""
        #expect(Self.measured(off, near: 62) && off.contains("off by more than 1 s"), "\(plan.stdout)")
        #expect(plan.stdout.contains("== node-2 =="))
        #expect(!plan.stdout.contains("== node-1 =="))
        #expect(plan.stdout.contains("$ systemctl enable --now chronyd  [reversible]"), "\(plan.stdout)")
        #expect(plan.stdout.contains("undo: systemctl disable --now chronyd"))
        #expect(plan.stdout.contains("$ chronyc makestep  [irreversible]"))
        #expect(mutating(w.calls).isEmpty, "\(w.calls)")
        #expect(w.calls.allSatisfy { $0.hasPrefix("node-2 ") }, "an in-sync host is not even asked: \(w.calls)")

        let apply = try await w.bkfix(["apply", "time-sync", "-p", "targets=control,nodes", "--yes", "--json"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        let doc = try CLISandbox.json(apply.stdout)
        #expect(doc["status"] as? String == "applied")
        let verify = try #require(doc["verify"] as? [[String: Any]])
        #expect(verify.map { $0["host"] as? String } == ["control", "node-1", "node-2"])
        #expect(verify.allSatisfy { $0["ok"] as? Bool == true && $0["check"] as? String == "clock-offset" })
        #expect(mutating(w.calls) == ["node-2 systemctl enable --now chronyd", "node-2 chronyc makestep"])
        #expect(w.state("node-2", "chronyd-enabled") == "enabled")
        let notes = try #require(doc["notes"] as? [String])
        let recorded = notes.first { $0.contains("node-2") } ?? ""
        #expect(Self.measured(Substring(recorded), near: 62), "the table is in the record: \(notes)")

        let again = try await w.bkfix(["apply", "time-sync", "-p", "targets=control,nodes", "--yes", "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try CLISandbox.json(again.stdout)["status"] as? String == "no-changes")

        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(
            rollback.stdout.contains("chronyc makestep [irreversible]"), "listed as not undoable: \(rollback.stdout)")
        #expect(w.calls.last == "node-2 systemctl disable --now chronyd")
        #expect(w.state("node-2", "chronyd-enabled") == "disabled")
        #expect(w.state("node-2", "chronyd-active") == "inactive")
        #expect(w.state("node-1", "chronyd-enabled") == "enabled", "node-1 was never touched")
    }

    @Test func fixTakesTheExpiredTokenLogToTimeSync() async throws {
        let w = try NodeWorld()
        defer { w.cleanup() }
        try chrony(w, on: "node-1", enabled: "enabled", active: "active")
        try chrony(w, on: "node-2")
        try w.setClockShift(["node-2": 62])
        let log = w.sandbox.sandboxPath("bkrepo.log")
        try Data(
            ("2024-12-05 06:00:01.123 ERROR 9 --- [  XNIO-1 task-1] ExceptionLogger : User[anonymous] GET "
                + "[/service/project/info/bkpaas] from [Api] failed[SystemErrorException]: [250115]Service "
                + "unauthenticated, reason: Expired token\n").utf8
        ).write(to: URL(fileURLWithPath: log))
        let fix = try await w.bkfix(["fix", log, "--yes", "--json"])
        #expect(fix.status == 0, "\(fix.stdout) \(fix.stderr)")
        let doc = try CLISandbox.json(fix.stdout)
        #expect(doc["status"] as? String == "applied", "\(doc)")
        #expect(mutating(w.calls) == ["node-2 systemctl enable --now chronyd", "node-2 chronyc makestep"])
        let history = try await w.sandbox.historyRuns()
        #expect(history.first?["playbook"] as? String == "time-sync")
        #expect((history.first?["cases"] as? [String])?.contains("clock-skew") == true, "\(history)")
    }

    /// Whether a `note: clock HOST  OFFSET s  (round trip N ms)` row measured `shift` as well as its round trip
    /// allows: the midpoint estimate can be off by up to half the round trip (a loaded machine makes it long).
    static func measured(_ row: Substring, near shift: Double) -> Bool {
        let words = row.split(separator: " ")
        guard let s = words.firstIndex(of: "s"), s > 0, let offset = Double(words[s - 1]),
            let trip = words.firstIndex(of: "trip"), trip + 1 < words.count, let ms = Double(words[trip + 1])
        else { return false }
        return abs(offset - shift) <= ms / 2000 + 0.1
    }

    @Test func withoutChronydItTurnsOnTimedatectlNTPAndUndoTurnsItOff() async throws {
        let w = try NodeWorld()
        defer { w.cleanup() }
        try timedatectl(w, on: "node-1")
        try chrony(w, on: "node-2", enabled: "enabled", active: "active")
        try w.setClockShift(["node-1": -5.5])

        let plan = try await w.bkfix(["plan", "time-sync"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let row = plan.stdout.split(separator: "\n").first { $0.hasPrefix("note: clock node-1 ") } ?? ""
        #expect(Self.measured(row, near: -5.5) && row.contains("off by more than 1 s"), "\(plan.stdout)")
        #expect(plan.stdout.contains("$ timedatectl set-ntp true  [reversible]"))
        #expect(plan.stdout.contains("undo: timedatectl set-ntp false"))
        #expect(mutating(w.calls).isEmpty, "\(w.calls)")

        let apply = try await w.bkfix(["apply", "time-sync", "--yes"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        #expect(w.state("node-1", "ntp") == "active")
        let rollback = try await w.bkfix(["rollback", "--last", "--yes"])
        #expect(rollback.status == 0, "\(rollback.stdout) \(rollback.stderr)")
        #expect(w.state("node-1", "ntp") == "inactive")
        #expect(mutating(w.calls) == ["node-1 timedatectl set-ntp true", "node-1 timedatectl set-ntp false"])
    }

    @Test func aSavedPlanStillAppliesAlthoughEveryClockAnswerChanged() async throws {
        let w = try NodeWorld()
        defer { w.cleanup() }
        try chrony(w, on: "node-1")
        try chrony(w, on: "node-2", enabled: "enabled", active: "active")
        try w.setClockShift(["node-1": 62])
        let out = w.sandbox.sandboxPath("plan.json")
        let plan = try await w.bkfix(["plan", "time-sync", "--out", out])
        #expect(plan.status == 0, "\(plan.stderr)")
        let apply = try await w.bkfix(["apply", "--plan", out, "--yes"])
        #expect(apply.status == 0, "\(apply.stdout) \(apply.stderr)")
        #expect(w.state("node-1", "chronyd-active") == "active")

        // Once chronyd runs elsewhere too, the same saved plan no longer matches what planning finds.
        try w.setClockShift(["node-2": 30])
        let stale = try await w.bkfix(["plan", "time-sync", "--out", out])
        #expect(stale.status == 0)
        try w.setState("node-2", "chronyd-active", "inactive")
        let refused = try await w.bkfix(["apply", "--plan", out, "--yes"])
        #expect(refused.status == 3, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("stale plan"), "\(refused.stderr)")
    }

    @Test func anUnreachableNodeStopsThePlanUnlessKeepGoing() async throws {
        let w = try NodeWorld(nodes: ["node-1"], unreachable: "node-3")
        defer { w.cleanup() }
        try chrony(w, on: "node-1")
        try w.setClockShift(["node-1": 62])
        let strict = try await w.bkfix(["apply", "time-sync", "--yes"])
        #expect(strict.status == 1, "\(strict.stdout) \(strict.stderr)")
        #expect(strict.stderr.contains("node-3"), "\(strict.stderr)")
        #expect(mutating(w.calls).isEmpty)

        let going = try await w.bkfix(["apply", "time-sync", "--yes", "--keep-going", "--json"])
        #expect(going.status == 1, "\(going.stdout) \(going.stderr)")
        let doc = try CLISandbox.json(going.stdout)
        #expect(doc["status"] as? String == "failed")
        #expect(mutating(w.calls) == ["node-1 systemctl enable --now chronyd", "node-1 chronyc makestep"])
        let verify = try #require(doc["verify"] as? [[String: Any]])
        #expect(verify.map { $0["host"] as? String } == ["node-1"])
        #expect(verify.first?["ok"] as? Bool == true)
    }

    @Test func aMaskedChronydOrNTPAlreadyOnIsRefusedWithWhatToDo() async throws {
        let w = try NodeWorld(nodes: ["node-1"])
        defer { w.cleanup() }
        try chrony(w, on: "node-1", enabled: "masked")
        try w.setClockShift(["node-1": 62])
        let masked = try await w.bkfix(["plan", "time-sync", "--json"])
        #expect(masked.status == 1)
        let error = try #require(CLISandbox.json(masked.stdout)["error"] as? [String: Any])
        #expect(error["code"] as? String == "service-masked")
        #expect((error["message"] as? String)?.contains("systemctl unmask chronyd") == true)

        try timedatectl(w, on: "node-1")
        try w.setState("node-1", "ntp", "active")
        let on = try await w.bkfix(["plan", "time-sync"])
        #expect(on.status == 1)
        #expect(on.stderr.contains("time sync (timedatectl NTP) is already on on node-1"), "\(on.stderr)")
        #expect(mutating(w.calls).isEmpty)
    }
}
