import ArgumentParser
import BKFix
import Foundation

/// `bkfix recover [--undo]`: complete the record of interrupted runs, showing per host and step how far each got;
/// `--undo` also rolls them back through the same plan, display and confirmation as `rollback`.
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover",
        abstract: "Complete the record of interrupted runs; --undo also rolls them back (shown and confirmed first).")

    @Flag(help: "Also roll back what each interrupted run did (files, compensations), as `rollback` would.")
    var undo = false

    @Flag(help: "Confirm the undo without asking (for automation).")
    var yes = false

    @Flag(help: "Undo even where a file changed after the interruption (its content is recorded as drift first).")
    var force = false

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if !undo && (yes || force) { throw ValidationError("--yes and --force go with --undo") }
    }

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let presenter = RunPresenter(console: console, session: global.session(), yes: yes)
            let report = try presenter.engine().recover(undo: undo, force: force)
            for u in report.unreadable where !global.json {
                console.err(
                    "bkfix: \(u.journal) is not a readable bkfix journal: its run cannot be recorded; kept as "
                        + "\(u.keptAs) — check the files that run may have changed (bkfix status)\n")
            }
            if global.json {
                console.json([
                    "recovered": report.recovered.map(Self.json),
                    "unreadable": report.unreadable.map { ["journal": $0.journal, "keptAs": $0.keptAs] },
                ])
            } else if report.recovered.isEmpty && report.unreadable.isEmpty {
                console.out("nothing to recover\n")
            } else {
                for r in report.recovered { console.out(text(r)) }
            }
            if !report.unreadable.isEmpty { return .failure }
            return report.recovered.compactMap(\.undoneBy).map(RunPresenter.exitStatus).first { $0 != .ok } ?? .ok
        }
    }

    private func text(_ r: RecoveredRun) -> String {
        let record = r.record
        var s =
            r.alreadyRecorded
            ? "run \(record.id) (\(record.playbook)) was already recorded (\(record.status.rawValue)); "
                + "its journal is cleared\n"
            : "recovered run \(record.id) (\(record.playbook)): recorded as interrupted\n"
        if let by = r.undoneBy {
            s += "  undone by recover: run \(by.id) (status \(by.status.rawValue))\n"
            if let e = by.error { s += "  \(e)\n" }
        } else if let why = r.nothingToUndo {
            s += "  nothing to undo: \(why)\n"
        } else if record.kind == .rollback, let of = record.rollbackOf {
            // A rollback cannot be rolled back; finishing the undo of the original is what is left.
            s += "  to finish undoing run \(of): bkfix rollback \(of) --retry\n"
        } else if record.changedSomething {
            s += "  to undo what it did: bkfix rollback \(record.id)\n"
        }
        return s
    }

    static func json(_ r: RecoveredRun) -> [String: Any] {
        [
            "run": r.record.id, "status": r.record.status.rawValue, "kind": r.record.kind.rawValue,
            "playbook": r.record.playbook, "alreadyRecorded": r.alreadyRecorded,
            "files": r.record.files.map { ["host": $0.host, "path": $0.path, "status": $0.status.rawValue] },
            "steps": r.record.steps.map {
                ["host": $0.host, "type": $0.type, "what": $0.what, "status": $0.status.rawValue, "phrase": $0.phrase]
            },
            "undoneBy": r.undoneBy.map { RunPresenter.json($0) as Any } ?? NSNull(),
            "nothingToUndo": r.nothingToUndo.map { $0 as Any } ?? NSNull(),
        ]
    }
}
