import Foundation

/// How `status`, `history` and `apply` say where a temporary fix stands.
public enum RevertRenderer {
    /// One line, e.g. `reverts at 2026-12-05T09:00:00Z (in 1h59m) unless `bkfix confirm RUN``.
    public static func line(_ s: RevertSchedule, language: Language, now: Date = Date()) -> String {
        let at = JSONOutput.iso(s.due)
        let zh = language == .zh
        switch s.state {
        case .scheduled:
            let left = Int(s.due.timeIntervalSince(now))
            if left >= 0 {
                let span = TimeSpan(seconds: max(left, 1)).description
                return zh
                    ? "将于 \(at)（\(span) 后）自动回滚，除非执行 bkfix confirm \(s.run)"
                    : "reverts at \(at) (in \(span)) unless `bkfix confirm \(s.run)`"
            }
            return zh
                ? "应于 \(at) 自动回滚但尚未执行（重启后定时器丢失？）：journalctl -u \(s.unit)，然后 bkfix rollback \(s.run) 或 bkfix confirm \(s.run)"
                : "the revert was due at \(at) and has not run (timer lost in a reboot?): `journalctl -u \(s.unit)`, "
                    + "then `bkfix rollback \(s.run)` or `bkfix confirm \(s.run)`"
        case .notScheduled:
            return zh
                ? "未能安排自动回滚（\(s.detail ?? "systemd-run 失败")）：需要手动回滚"
                : "no revert is scheduled (\(s.detail ?? "systemd-run failed")): roll it back by hand"
        case .confirmed:
            let when = s.confirmedAt.map(JSONOutput.iso) ?? "?"
            return zh
                ? "已由 \(s.confirmedBy ?? "?") 于 \(when) 确认保留" : "confirmed by \(s.confirmedBy ?? "?") at \(when): kept"
        case .reverted:
            let when = s.revertedAt.map(JSONOutput.iso) ?? "?"
            if s.onSchedule == true {
                return zh
                    ? "已按计划由运行 \(s.revertedBy ?? "?") 于 \(when) 回滚"
                    : "reverted on schedule by run \(s.revertedBy ?? "?") at \(when)"
            }
            return zh
                ? "定时器触发前已由运行 \(s.revertedBy ?? "?") 于 \(when) 回滚"
                : "rolled back before its timer by run \(s.revertedBy ?? "?") at \(when)"
        case .revertFailed:
            return zh
                ? "\(at) 的自动回滚失败（\(s.detail ?? "?")）：bkfix rollback \(s.run) 或 bkfix confirm \(s.run)"
                : "the revert at \(at) failed (\(s.detail ?? "?")): `bkfix rollback \(s.run)` or `bkfix confirm \(s.run)`"
        }
    }

    /// The schedule for `--json`.
    public static func json(_ s: RevertSchedule, language: Language, now: Date = Date()) -> [String: Any] {
        var out: [String: Any] = [
            "run": s.run, "playbook": s.playbook, "after": s.after, "due": JSONOutput.iso(s.due), "unit": s.unit,
            "state": s.state.rawValue, "scheduledBy": s.scheduledBy, "summary": line(s, language: language, now: now),
            "overdue": s.state == .scheduled && s.due < now,
        ]
        if let by = s.confirmedBy { out["confirmedBy"] = by }
        if let at = s.confirmedAt { out["confirmedAt"] = JSONOutput.iso(at) }
        if let by = s.revertedBy { out["revertedBy"] = by }
        if let at = s.revertedAt { out["revertedAt"] = JSONOutput.iso(at) }
        if let on = s.onSchedule { out["onSchedule"] = on }
        if let detail = s.detail { out["detail"] = detail }
        return out
    }
}
