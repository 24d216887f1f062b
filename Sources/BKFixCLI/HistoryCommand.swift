import ArgumentParser
import BKFix
import Foundation

/// `bkfix history [filters]`: runs newest first.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "List recorded runs, newest first.")

    @Option(help: "Only runs of this playbook.", completion: .custom(Completions.playbookIDs)) var playbook: String?
    @Option(name: .customLong("case"), help: "Only runs for this case.", completion: .custom(Completions.caseIDs))
    var caseID: String?
    @Option(help: "Only runs that touched this host.") var host: String?
    @Option(help: "Only runs with this status (applied, failed, interrupted, verify-failed).") var status: String?
    @Option(help: "Only runs started at or after this time (ISO 8601 or YYYY-MM-DD).") var since: String?
    @Option(help: "Only runs started before this time (ISO 8601 or YYYY-MM-DD).") var until: String?
    @Option(help: "At most N runs.") var limit: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let since, HistoryCommand.parseDate(since) == nil { throw ValidationError("--since: not a date: \(since)") }
        if let until, HistoryCommand.parseDate(until) == nil { throw ValidationError("--until: not a date: \(until)") }
        if let status, RunStatus(rawValue: status) == nil {
            throw ValidationError("--status: no run status '\(status)' (applied, failed, interrupted, verify-failed)")
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    static func parseDate(_ s: String) -> Date? {
        if let d = ISO8601DateFormatter().date(from: s) { return d }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm"] {
            f.dateFormat = format
            if let d = f.date(from: s) { return d }
        }
        return nil
    }

    func run() throws {
        let console = Console(options: global)
        try console.run {
            guard let store = try global.session().existingStore() else {
                if global.json {
                    console.json(["runs": [Any]()])
                } else {
                    console.out(Messages.format(Messages.noHistoryYet, console.lang, global.session().statePath) + "\n")
                }
                return .ok
            }
            let sinceDate = since.flatMap(Self.parseDate)
            let untilDate = until.flatMap(Self.parseDate)
            let recorded = try store.runs()
            var runs = recorded.filter { e in
                let r = e.record
                return (playbook == nil || r.playbook == playbook) && (caseID == nil || r.cases.contains(caseID!))
                    && (host == nil || r.hosts.contains(host!)) && (status == nil || r.status.rawValue == status)
                    && (sinceDate == nil || r.started >= sinceDate!) && (untilDate == nil || r.started < untilDate!)
            }
            if let limit { runs = Array(runs.prefix(limit)) }
            var reverts: [String: RevertSchedule] = [:]
            for r in try RevertLedger(store: store).all() { reverts[r.run] = r }
            if global.json {
                console.json(
                    JSONOutput.masked([
                        "runs": runs.map { e in
                            var entry = JSONOutput.historyEntry(e)
                            if let r = reverts[e.record.id] {
                                entry["revert"] = RevertRenderer.json(r, language: console.lang)
                            }
                            return entry
                        }
                    ]))
                return .ok
            }
            if runs.isEmpty {
                console.out((recorded.isEmpty ? Messages.noRunsYet : Messages.noRunsMatch).text(console.lang) + "\n")
                return .ok
            }
            var masker = SecretMasker()
            for e in runs {
                let r = e.record
                var line =
                    "\(r.id)  \(JSONOutput.iso(r.started))  \(r.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))"
                line +=
                    " \(r.playbook.padding(toLength: 16, withPad: " ", startingAt: 0)) \(r.status.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0))"
                line += " \(r.operator)  \(r.files.map(\.path).joined(separator: ","))"
                if let of = r.rollbackOf { line += "  (rollback of \(of))" }
                if let by = e.rolledBackBy { line += "  (rolled back by \(by))" }
                if let revert = reverts[r.id] { line += "  [\(RevertRenderer.line(revert, language: console.lang))]" }
                console.out(masker.text(line) + "\n")
            }
            if let masked = masker.summary(console.lang) { console.out(masked + "\n") }
            return .ok
        }
    }
}
