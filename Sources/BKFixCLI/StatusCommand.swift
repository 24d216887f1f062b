import ArgumentParser
import BKFix
import Foundation

/// `bkfix status`: drift of managed files and interrupted runs.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Report managed files changed outside bkfix, and interrupted runs.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            guard let store = try session.existingStore() else {
                if global.json {
                    console.json([
                        "clean": true, "drift": [Any](), "unchecked": [Any](), "interrupted": [Any](),
                        "running": [Any](),
                    ])
                } else {
                    console.out(Messages.format(Messages.noHistoryYet, console.lang, global.session().statePath) + "\n")
                }
                return .ok
            }
            let recovery = Recovery(store: store, hosts: session.hosts)
            let checked = try recovery.drift()
            let drift = checked.filter { $0.unchecked == nil }
            let unchecked = checked.filter { $0.unchecked != nil }
            let pending = recovery.pending()
            let reverts = try RevertLedger(store: store).all().filter(\.isPending)
            if global.json {
                console.json([
                    "clean": checked.isEmpty && pending.isEmpty,
                    "pendingReverts": reverts.map { RevertRenderer.json($0, language: console.lang) },
                    "drift": drift.map {
                        [
                            "host": $0.host, "path": $0.path, "recordedSha256": $0.recordedSHA256 ?? "absent",
                            "liveSha256": $0.liveSHA256 ?? "absent",
                        ]
                    },
                    "unchecked": unchecked.map { ["host": $0.host, "path": $0.path, "reason": $0.unchecked ?? ""] },
                    "interrupted": pending.filter { !$0.alive }.map {
                        [
                            "run": $0.journal?.record.id ?? $0.journalPath,
                            "playbook": $0.journal?.record.playbook ?? "?",
                        ]
                    },
                    "running": pending.filter(\.alive).map {
                        ["run": $0.journal?.record.id ?? $0.journalPath, "pid": Int($0.journal?.pid ?? 0)]
                    },
                ])
                return .ok
            }
            if checked.isEmpty && pending.isEmpty {
                console.out(Messages.noDrift.text(console.lang) + "\n")
            }
            for r in reverts {
                console.out(
                    Messages.format(
                        Messages.pendingRevert, console.lang, r.run, r.playbook,
                        RevertRenderer.line(r, language: console.lang)) + "\n")
            }
            for d in drift { console.out(Messages.format(Messages.drift, console.lang, d.path, d.host) + "\n") }
            for d in unchecked {
                console.out(
                    Messages.format(Messages.driftUnchecked, console.lang, d.path, d.host, d.unchecked ?? "") + "\n")
            }
            for p in pending {
                let id = p.journal?.record.id ?? p.journalPath
                if p.alive {
                    console.out("running: \(id) (pid \(p.journal?.pid ?? 0))\n")
                } else {
                    console.out(
                        Messages.format(
                            Messages.interrupted, console.lang, id, p.journal?.record.playbook ?? "?",
                            String(p.journal?.pid ?? 0)) + "\n")
                }
            }
            return .ok
        }
    }
}
