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

    /// `text` cut or filled with spaces to `width` characters (a column of the listing).
    static func padded(_ text: String, _ width: Int) -> String {
        let count = text.count
        return count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - count)
    }

    /// The temporary fixes' schedules by run, from the repo's `reverts/` tree (`RevertLedger.allIfAny`).
    static func reverts(_ store: RunStore) throws -> [String: RevertSchedule] {
        var reverts: [String: RevertSchedule] = [:]
        for r in try RevertLedger(store: store).allIfAny() { reverts[r.run] = r }
        return reverts
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
            guard let store = try global.session().existingStore(checkingRepo: false) else {
                if global.json {
                    console.json(["runs": [Any]()])
                } else {
                    console.out(Messages.format(Messages.noHistoryYet, console.lang, global.session().statePath) + "\n")
                }
                return .ok
            }
            let filter = RunFilter(
                playbook: playbook, caseID: caseID, host: host, status: status.flatMap(RunStatus.init(rawValue:)),
                since: since.flatMap(Self.parseDate), until: until.flatMap(Self.parseDate))
            // A schedule that cannot be read (a damaged repo) only leaves its mark out: `status` names the problem.
            let reverts = (try? Self.reverts(store)) ?? [:]
            if global.json {
                var document = JSONOutput.HistoryDocument()
                try store.history(filter, limit: limit) { run in
                    document.append(
                        run, revert: reverts[run.id].map { RevertRenderer.json($0, language: console.lang) })
                }
                console.out(bytes: document.finish())
                return .ok
            }
            var text = ""
            let count = try store.history(filter, limit: limit) { r in
                text += "\(r.id)  \(JSONOutput.iso(r.started))  \(Self.padded(r.kind.rawValue, 8))"
                text += " \(Self.padded(r.playbook, 16)) \(Self.padded(r.status.rawValue, 13))"
                text += " \(r.operatorName)  \(r.files.map(\.path).joined(separator: ","))"
                if let of = r.rollbackOf { text += "  (rollback of \(of))" }
                if let by = r.rolledBackBy { text += "  (rolled back by \(by))" }
                if let revert = reverts[r.id] { text += "  [\(RevertRenderer.line(revert, language: console.lang))]" }
                text += "\n"
            }
            if count == 0 {
                console.out((try store.hasRuns() ? Messages.noRunsMatch : Messages.noRunsYet).text(console.lang) + "\n")
                return .ok
            }
            var masker = SecretMasker()
            console.out(masker.text(text))
            if let masked = masker.summary(console.lang) { console.out(masked + "\n") }
            return .ok
        }
    }
}
