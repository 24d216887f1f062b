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
            let recovered = try Recovery(store: store, hosts: session.hosts).recover(undo: undo)
            if global.json {
                console.json([
                    "recovered": recovered.map {
                        [
                            "run": $0.id, "status": $0.status.rawValue,
                            "files": $0.files.map { ["path": $0.path, "status": $0.status.rawValue] },
                        ]
                    }
                ])
            } else if recovered.isEmpty {
                console.out("nothing to recover\n")
            } else {
                for r in recovered {
                    console.out("recovered run \(r.id) (\(r.playbook)): recorded as interrupted\n")
                    for f in r.files { console.out("  \(f.host):\(f.path) \(f.status.rawValue)\n") }
                    if !undo { console.out("  to undo what it did: bkfix rollback \(r.id)\n") }
                }
            }
            return .ok
        }
    }
}
