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
            // Everything shown goes through one masker, so the last line can say how many values it hid.
            var masker = SecretMasker()
            var s =
                "run:       \(r.id)\nkind:      \(r.kind.rawValue)\nplaybook:  \(r.playbook) — \(r.title.text(console.lang))\n"
            s += "cases:     \(r.cases.joined(separator: ", "))\nstatus:    \(r.status.rawValue)\n"
            s += "operator:  \(r.operator) on \(r.machine)\nstarted:   \(JSONOutput.iso(r.started))\n"
            if let f = r.finished { s += "finished:  \(JSONOutput.iso(f))\n" }
            s += "command:   \(masker.argv(r.command).joined(separator: " "))\ncommit:    \(e.commit.oid)\n"
            s += "bkfix:     \(r.bkfixVersion ?? "unknown (recorded before 0.2.0)")\n"
            if let of = r.rollbackOf { s += "rollback of: \(of)\n" }
            if let by = e.rolledBackBy { s += "rolled back by: \(by)\n" }
            if let err = r.error { s += "error:     \(masker.text(err))\n" }
            if let revert = try RevertLedger(store: store).schedule(for: r.id) {
                s += "temporary: \(RevertRenderer.line(revert, language: console.lang))\n"
            }
            if let failed = r.hostErrors {
                for h in r.hosts {
                    s += "host \(h): " + (failed[h].map { "FAILED — \(masker.text($0))" } ?? "ok") + "\n"
                }
            }
            if !r.params.isEmpty {
                s +=
                    "params:    "
                    + r.params.keys.sorted().map { "\($0)=\(masker.value(r.params[$0]!.display, key: $0))" }
                    .joined(separator: " ") + "\n"
            }
            for n in r.notes { s += "note: \(masker.text(n))\n" }
            for f in r.files {
                s += "\n== file \(f.host):\(f.path) \(f.op.rawValue) [\(f.status.rawValue)]"
                if let m = f.afterMeta ?? f.beforeMeta {
                    s += " mode \(String(m.mode, radix: 8)) uid \(m.uid) gid \(m.gid)"
                }
                s += "\n"
                let diff = masker.text(f.diff)
                s += global.color ? UnifiedDiff.colorize(diff) : diff
                for n in f.notes { s += "  note: \(masker.text(n))\n" }
            }
            for c in r.commands {
                s +=
                    "\n== command on \(c.host) [\(c.risk.rawValue)] [\(c.status.rawValue)]\n$ \(masker.argv(c.argv).joined(separator: " "))\n"
                if let res = c.result {
                    s +=
                        "exit \(res.exitCode)\(res.timedOut ? " (timed out)" : "") in \(String(format: "%.1f", res.duration))s\n"
                    if !res.stdout.isEmpty {
                        s += "stdout:\n" + masker.text(res.stdout) + (res.stdout.hasSuffix("\n") ? "" : "\n")
                    }
                    if !res.stderr.isEmpty {
                        s += "stderr:\n" + masker.text(res.stderr) + (res.stderr.hasSuffix("\n") ? "" : "\n")
                    }
                }
            }
            for o in r.observed ?? [] {
                s +=
                    "\n== recorded \(o.host):\(o.path) (before \(o.beforeSHA256.map { String($0.prefix(12)) } ?? "absent"), "
                    + "after \(o.afterSHA256.map { String($0.prefix(12)) } ?? "absent"); git log -p shows both)\n"
            }
            if !r.notUndoable.isEmpty {
                s += "\n" + Messages.notUndoable.text(console.lang) + "\n"
                for a in r.notUndoable { s += "  \(masker.argv(a).joined(separator: " "))\n" }
            }
            for v in r.verify {
                s += "verify \(v.check) on \(v.host): \(v.ok ? "ok" : "FAILED") — \(masker.text(v.detail))\n"
            }
            if let masked = masker.summary(console.lang) { s += masked + "\n" }
            console.out(s)
            return .ok
        }
    }
}
