import Foundation

/// Shows a plan the way an operator reviews it: per host, each file as a unified diff (3 lines of context), each
/// command with its risk, then one summary line (SPEC §7). Secret-looking values are masked (SecretMasker), and the
/// output says how many.
public enum PlanRenderer {
    /// A file change as a masked unified diff (or a one-line note for binary content).
    public static func diff(_ f: FileChange, color: Bool) -> String {
        var masker = SecretMasker()
        return diff(f, color: color, masker: &masker)
    }

    /// The same, counting what it masks in `masker`.
    public static func diff(_ f: FileChange, color: Bool, masker: inout SecretMasker) -> String {
        if f.binary || f.before.map(isBinary) == true || f.after.map(isBinary) == true {
            let size = { (d: Data?) in d.map { "\($0.count) bytes, sha256 \(SHA256.hex($0).prefix(12))" } ?? "absent" }
            return "binary \(f.path): \(size(f.before)) -> \(size(f.after))\n"
        }
        let a = f.before == nil ? "/dev/null" : "a\(f.path)"
        let b = f.after == nil ? "/dev/null" : "b\(f.path)"
        var text = masker.text(UnifiedDiff.render(old: f.before, new: f.after, oldLabel: a, newLabel: b))
        if let m = f.beforeMeta, let n = f.afterMeta, m.mode != n.mode {
            text += "mode \(String(m.mode, radix: 8)) -> \(String(n.mode, radix: 8))\n"
        }
        return color ? UnifiedDiff.colorize(text) : text
    }

    static func isBinary(_ d: Data) -> Bool { d.prefix(8192).contains(0) }

    /// "2 files, 1 command (1 irreversible) on 1 host" (or its Chinese form).
    public static func summary(_ plan: Plan, language: Language = .en) -> String {
        let files = plan.fileChanges.count
        let commands = plan.commands
        let risky = Risk.allCases.filter { $0 != .readOnly }.compactMap { risk -> (Risk, Int)? in
            let n = commands.filter { $0.risk == risk }.count
            return n == 0 ? nil : (risk, n)
        }
        let h = plan.hosts.count
        if language == .zh {
            let zhRisk: [Risk: String] = [.reversible: "可撤销", .compensating: "可补偿", .irreversible: "不可逆"]
            var s = "\(files) 个文件，\(commands.count) 条命令"
            if !risky.isEmpty {
                s += "（" + risky.map { "\($0.1) 条\(zhRisk[$0.0] ?? $0.0.rawValue)" }.joined(separator: "，") + "）"
            }
            return s + "，涉及 \(h) 台主机"
        }
        var s = "\(files) file\(files == 1 ? "" : "s"), \(commands.count) command\(commands.count == 1 ? "" : "s")"
        if !risky.isEmpty { s += " (" + risky.map { "\($0.1) \($0.0.rawValue)" }.joined(separator: ", ") + ")" }
        return s + " on \(h) host\(h == 1 ? "" : "s")"
    }

    public static func render(_ plan: Plan, language: Language, color: Bool) -> String {
        var masker = SecretMasker()
        var out = Messages.format(Messages.planHeader, language, plan.playbook, plan.title.text(language)) + "\n"
        let params = plan.params.keys.sorted().map { "\($0)=\(masker.value(plan.params[$0]!.display, key: $0))" }
        let (paramsLabel, noteLabel, verifyLabel) = language == .zh ? ("参数", "说明", "验证") : ("params", "note", "verify")
        if !params.isEmpty { out += "\(paramsLabel): \(params.joined(separator: " "))\n" }
        for note in plan.notes { out += "\(noteLabel): \(masker.text(note))\n" }
        for warning in plan.warnings ?? [] {
            let line = "\(Messages.warningLabel.text(language)): \(masker.text(warning))"
            out += (color ? "\u{1B}[1;31m\(line)\u{1B}[0m" : line) + "\n"
        }
        if plan.noChanges {
            out += Messages.noChanges.text(language) + "\n"
            if let masked = masker.summary(language) { out += masked + "\n" }
            return out
        }
        for host in plan.hosts {
            out += "\n== \(host) ==\n"
            for change in plan.changes where change.host == host {
                switch change {
                case .file(let f):
                    out += diff(f, color: color, masker: &masker)
                    for n in f.notes { out += "  \(noteLabel): \(masker.text(n))\n" }
                case .command(let c):
                    out += commandLine(c, color: color, masker: &masker)
                }
            }
        }
        if !plan.notUndoable.isEmpty {
            out += "\n" + Messages.notUndoable.text(language) + "\n"
            for c in plan.notUndoable {
                out += "  \(masker.argv(c.argv).joined(separator: " ")) [\(c.risk.rawValue)]\n"
            }
        }
        if let observed = plan.observed, !observed.isEmpty {
            out += "\n" + Messages.observedHeader.text(language) + "\n"
            for o in observed { out += "  \(o.host) \(o.path)\n" }
        }
        if !plan.verify.isEmpty {
            out += "\n\(verifyLabel):\n"
            for v in plan.verify {
                let args = v.args.keys.sorted().map { "\($0)=\(masker.value(v.args[$0]!.display, key: $0))" }
                out += "  \(v.kind) on \(v.host): \(args.joined(separator: " "))\n"
            }
        }
        out += "\n" + summary(plan, language: language) + "\n"
        if let proposed = plan.revertAfter {
            out +=
                Messages.format(
                    proposed == "offered" ? Messages.revertOffered : Messages.revertProposed, language, proposed) + "\n"
        }
        if let masked = masker.summary(language) { out += masked + "\n" }
        return out
    }

    static func commandLine(_ c: CommandChange, color: Bool, masker: inout SecretMasker) -> String {
        let risk = "[\(c.risk.rawValue)]"
        let shown = color && c.risk == .irreversible ? "\u{1B}[1;31m\(risk)\u{1B}[0m" : risk
        var s = "$ \(masker.argv(c.argv).map(shellQuote).joined(separator: " "))  \(shown)"
        if let w = c.workdir { s += "  (in \(w))" }
        s += "\n"
        let label = c.risk == .reversible ? "undo" : "compensation"
        for u in c.undo { s += "    \(label): \(masker.argv(u.argv).map(shellQuote).joined(separator: " "))\n" }
        for f in c.fallbacks { s += "    fallback: \(masker.argv(f).map(shellQuote).joined(separator: " "))\n" }
        return s
    }

    /// Quotes an argv element for display only (commands never run through a shell).
    public static func shellQuote(_ s: String) -> String {
        if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "-_./=:,@+%".contains($0) }) { return s }
        return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
