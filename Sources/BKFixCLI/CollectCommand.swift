import ArgumentParser
import BKFix
import Foundation

/// `bkfix collect --out DIR`: the bundle BlueKing support asks for, secrets masked, as a folder and a tar.gz.
struct CollectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Gather pods, describe, logs, helm list and versions for support (secrets masked).")

    @Option(help: "Folder to create for the bundle; DIR.tar.gz is written next to it.")
    var out: String

    @OptionGroup var cluster: ClusterOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            // The bundle is the operator's own output: written at --out as given, not under --root.
            let local = LocalTransport(root: "/", host: "control", environment: global.environment)
            let collector = SupportBundleCollector(kubectl: cluster.kubectl(session, global), output: local)
            let result = try collector.collect(to: global.absolute(out), history: history(session)) { step in
                if !global.json { console.err("[\(step.index)/\(step.total)] \(step.file) ← \(step.command)\n") }
            }
            if global.json {
                console.json([
                    "directory": result.directory, "archive": result.archive, "files": result.files,
                    "failures": result.failures, "masked": result.masked,
                ])
            } else {
                for failure in result.failures { console.err("bkfix: \(failure)\n") }
                if let masked = SecretMasker.summary(count: result.masked, console.lang) { console.err(masked + "\n") }
                console.out("\(result.archive)\n")
            }
            return .ok
        }
    }

    /// The bkfix history as text, when a state repo exists (collect never creates one).
    private func history(_ session: Session) -> String? {
        guard let runs = try? session.existingStore(checkingRepo: false)?.summaries() else { return nil }
        return runs.map { r in
            "\(r.id)  \(JSONOutput.iso(r.started))  \(r.kind.rawValue)  \(r.playbook)  \(r.status.rawValue)"
        }.joined(separator: "\n") + "\n"
    }
}
