import ArgumentParser
import BKFix
import Foundation

/// `bkfix fix [FILE|-]`: diagnose, choose the finding (the top one, or ask on a TTY), plan its playbook with the
/// derived params, confirm, apply and verify — the guided loop.
struct FixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix", abstract: "Diagnose, then plan and apply the playbook of the chosen finding.")

    @OptionGroup var source: DiagnosisSource

    @Option(
        name: .customLong("case"), help: "Fix this case among the findings instead of the most likely one.",
        completion: .custom(Completions.caseIDs))
    var caseID: String?

    @Option(
        name: [.customShort("p"), .customLong("param")],
        help: ArgumentHelp("A parameter, key=value, over the derived ones.", valueName: "key=value"),
        completion: .custom(Completions.paramNames))
    var params: [String] = []

    @Flag(help: "Confirm without asking (for automation).")
    var yes = false

    @OptionGroup var revert: RevertOption

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            let findings = try source.findings(session: session, global: global, language: console.lang)
            let known = DiagnosisInput.playbookParams(session)
            let available = Set(known.keys)
            if !global.json {
                console.err(
                    FindingRenderer.render(findings, language: console.lang, color: false, playbookParams: known))
            }
            let fixable = findings.filter { f in f.playbooks.contains { available.contains($0) } }
            let chosen: Finding
            if let caseID {
                guard let f = fixable.first(where: { $0.caseID == caseID }) else {
                    throw DiagnoseError.noFixableFinding(case: caseID, found: findings.map(\.caseID))
                }
                chosen = f
            } else if let top = fixable.first {
                chosen =
                    fixable.count > 1 && !yes && !global.json && isatty(STDIN_FILENO) == 1 ? ask(fixable, console) : top
            } else {
                if global.json {
                    var doc = FindingRenderer.jsonObject(findings)
                    doc["run"] = NSNull()
                    doc["status"] = "nothing-to-fix"
                    console.json(doc)
                } else {
                    console.out(Self.nothingToFix.text(console.lang) + "\n")
                }
                return .ok
            }
            let playbook = chosen.playbooks.first { available.contains($0) }!
            if !global.json {
                console.err(Messages.format(Self.planning, console.lang, playbook, chosen.caseID) + "\n")
            }
            // The cluster that was diagnosed is the one the playbook acts on (a playbook without `context` ignores it).
            var derived = chosen.params
            if let context = source.cluster.context { derived["context"] = context }
            var plan = try session.plan(playbook: playbook, assignments: params, derived: derived)
            // The run is recorded under the case that was diagnosed, first (the `Case` trailer).
            plan.cases = [chosen.caseID] + plan.cases.filter { $0 != chosen.caseID }
            return try RunPresenter(console: console, session: session, yes: yes).apply(
                plan, saved: false, revert: revert.request(global, session: session))
        }
    }

    static let nothingToFix = Localized(
        zh: "没有可以自动修复的发现；请按上面的“下一步”处理。", en: "Nothing bkfix can fix automatically; follow the next steps above.")
    static let planning = Localized(zh: "规划 playbook %@，修复案例 %@ …", en: "Planning playbook %@ for case %@ …")
    static let choose = Localized(zh: "选择要修复的发现 [1-%@]：", en: "Which finding to fix [1-%@]: ")

    /// Asks which finding to fix; an empty answer takes the first.
    private func ask(_ fixable: [Finding], _ console: Console) -> Finding {
        for (i, f) in fixable.enumerated() {
            console.err("  \(i + 1). \(f.caseID) (\(f.playbooks.joined(separator: ", ")))\n")
        }
        console.err(Messages.format(Self.choose, console.lang, String(fixable.count)))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces) ?? ""
        if let n = Int(answer), (1...fixable.count).contains(n) { return fixable[n - 1] }
        return fixable[0]
    }
}
