import ArgumentParser
import BKFix
import Foundation

/// `bkfix recover`: complete the record of interrupted runs (optionally undoing their partial file changes).
struct RecoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover", abstract: "Complete the record of interrupted runs; --undo also puts their files back.")

    @Flag(help: "Restore the files an interrupted run had changed before recording it.")
    var undo = false

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            let store = try session.openStore()
            let lock = try console.lock(store, command: invocation.joined(separator: " "))
            defer { lock.release() }
            let recovery = Recovery(store: store, hosts: session.hosts)
            // Journals that do not decode are set aside by recover; the operator must hear where they went.
            let unreadable = recovery.pending().filter { $0.journal == nil && !$0.alive }.map {
                (journal: $0.journalPath, keptAs: Recovery.setAsidePath(for: $0.journalPath))
            }
            let recovered = try recovery.recover(undo: undo)
            for u in unreadable where !global.json {
                console.err(
                    "bkfix: \(u.journal) is not a readable bkfix journal: its run cannot be recorded; kept as "
                        + "\(u.keptAs) — check the files that run may have changed (bkfix status)\n")
            }
            if global.json {
                console.json([
                    "recovered": recovered.map {
                        [
                            "run": $0.id, "status": $0.status.rawValue,
                            "files": $0.files.map { ["path": $0.path, "status": $0.status.rawValue] },
                        ]
                    },
                    "unreadable": unreadable.map { ["journal": $0.journal, "keptAs": $0.keptAs] },
                ])
            } else if recovered.isEmpty && unreadable.isEmpty {
                console.out("nothing to recover\n")
            } else {
                for r in recovered {
                    console.out("recovered run \(r.id) (\(r.playbook)): recorded as interrupted\n")
                    for f in r.files { console.out("  \(f.host):\(f.path) \(f.status.rawValue)\n") }
                    if !undo, r.kind == .rollback, let of = r.rollbackOf {
                        // A rollback cannot be rolled back; finishing the undo of the original is what is left.
                        console.out("  to finish undoing run \(of): bkfix rollback \(of) --force\n")
                    } else if !undo {
                        console.out("  to undo what it did: bkfix rollback \(r.id)\n")
                    }
                }
            }
            return unreadable.isEmpty ? .ok : .failure
        }
    }
}
