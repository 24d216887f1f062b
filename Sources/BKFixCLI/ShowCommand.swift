import ArgumentParser
import BKFix
import Foundation

/// `bkfix show RUN_ID`: everything about one run.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one run: params, plan, diffs, command output, who and when.")

    @Argument(help: "Run id (a unique prefix or suffix is enough).", completion: .custom(Completions.runIDs))
    var runID: String

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            guard let store = try global.session().existingStore() else { throw EngineError.unknownRun(id: runID) }
            let e = try store.run(runID)
            if global.json {
                console.json(try JSONOutput.run(e))
                return .ok
            }
            let r = e.record
            var s =
                "run:       \(r.id)\nkind:      \(r.kind.rawValue)\nplaybook:  \(r.playbook) — \(r.title.text(console.lang))\n"
            s += "cases:     \(r.cases.joined(separator: ", "))\nstatus:    \(r.status.rawValue)\n"
            s += "operator:  \(r.operator) on \(r.machine)\nstarted:   \(JSONOutput.iso(r.started))\n"
            if let f = r.finished { s += "finished:  \(JSONOutput.iso(f))\n" }
            s += "command:   \(r.command.joined(separator: " "))\ncommit:    \(e.commit.oid)\n"
            s += "bkfix:     \(r.bkfixVersion ?? "unknown (recorded before 0.2.0)")\n"
            if let of = r.rollbackOf { s += "rollback of: \(of)\n" }
            if let by = e.rolledBackBy { s += "rolled back by: \(by)\n" }
            if let err = r.error { s += "error:     \(err)\n" }
            if let failed = r.hostErrors {
                for h in r.hosts {
                    s += "host \(h): " + (failed[h].map { "FAILED — \($0)" } ?? "ok") + "\n"
                }
            }
            if !r.params.isEmpty {
                s +=
                    "params:    "
                    + r.params.keys.sorted().map { "\($0)=\(r.params[$0]!.display)" }.joined(separator: " ") + "\n"
            }
            for n in r.notes { s += "note: \(n)\n" }
            for f in r.files {
                s += "\n== file \(f.host):\(f.path) \(f.op.rawValue) [\(f.status.rawValue)]"
                if let m = f.afterMeta ?? f.beforeMeta {
                    s += " mode \(String(m.mode, radix: 8)) uid \(m.uid) gid \(m.gid)"
                }
                s += "\n"
                s += global.color ? UnifiedDiff.colorize(f.diff) : f.diff
                for n in f.notes { s += "  note: \(n)\n" }
            }
            for c in r.commands {
                s +=
                    "\n== command on \(c.host) [\(c.risk.rawValue)] [\(c.status.rawValue)]\n$ \(c.argv.joined(separator: " "))\n"
                if let res = c.result {
                    s +=
                        "exit \(res.exitCode)\(res.timedOut ? " (timed out)" : "") in \(String(format: "%.1f", res.duration))s\n"
                    if !res.stdout.isEmpty {
                        s += "stdout:\n" + RunRecord.maskSecrets(res.stdout) + (res.stdout.hasSuffix("\n") ? "" : "\n")
                    }
                    if !res.stderr.isEmpty {
                        s += "stderr:\n" + RunRecord.maskSecrets(res.stderr) + (res.stderr.hasSuffix("\n") ? "" : "\n")
                    }
                }
            }
            if !r.notUndoable.isEmpty {
                s += "\n" + Messages.notUndoable.text(console.lang) + "\n"
                for a in r.notUndoable { s += "  \(a.joined(separator: " "))\n" }
            }
            for v in r.verify { s += "verify \(v.check) on \(v.host): \(v.ok ? "ok" : "FAILED") — \(v.detail)\n" }
            console.out(s)
            return .ok
        }
    }
}
