import ArgumentParser
import BKFix
import Foundation

/// `bkfix cases` and `bkfix cases show ID`: what bkfix knows.
struct CasesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cases", abstract: "List the known cases, or show one.",
        subcommands: [CasesListCommand.self, CasesShowCommand.self], defaultSubcommand: CasesListCommand.self)
}

/// `bkfix cases [list]`.
struct CasesListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the known cases.")

    @Option(
        help: "Extra case folder, searched before /etc/bkfix/cases and the built-in cases.", completion: .directory)
    var cases: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let (listed, problems) = try ClusterOptions.library(cases: cases, global).list()
            if global.json {
                console.json([
                    "cases": listed.map {
                        [
                            "id": $0.definition.id, "title": $0.definition.title.text(console.lang),
                            "playbooks": $0.definition.playbooks, "file": $0.entry.file.location,
                            "source": $0.entry.file.origin.name, "overrides": $0.entry.hidden.map(\.location),
                        ] as [String: Any]
                    },
                    "invalid": problems.compactMap(\.errorDescription),
                ])
            } else {
                let width = listed.map(\.definition.id.count).max() ?? 0
                for item in listed {
                    let c = item.definition
                    let fix = c.playbooks.isEmpty ? "-" : c.playbooks.joined(separator: ", ")
                    console.out(
                        c.id.padding(toLength: width + 2, withPad: " ", startingAt: 0) + c.title.text(console.lang)
                            + "  [\(fix)]\n")
                    if item.entry.isNotable {
                        console.out(
                            String(repeating: " ", count: width + 2) + item.entry.provenance + "\n")
                    }
                }
                for p in problems { console.err("invalid case: \(p.errorDescription ?? "")\n") }
            }
            return problems.isEmpty ? .ok : .badInput
        }
    }
}

/// `bkfix cases show ID`.
struct CasesShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one case: texts, rules, playbooks.")

    @Argument(help: "Case id (see `bkfix cases`).", completion: .custom(Completions.caseIDs))
    var id: String

    @Option(
        help: "Extra case folder, searched before /etc/bkfix/cases and the built-in cases.", completion: .directory)
    var cases: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let catalog = try ClusterOptions.catalog(cases: cases, global)
            guard let c = catalog.definition(id) else {
                throw DiagnoseError.unknownCase(
                    id: id, suggestions: PlaybookLibrary.suggestions(for: id, among: catalog.cases.map(\.id)))
            }
            let lang = console.lang
            if global.json {
                console.json([
                    "id": c.id, "title": c.title.text(lang), "explanation": c.explanation.text(lang),
                    "next": c.nextStep.text(lang), "playbooks": c.playbooks, "cluster": c.clusterRules,
                    "rules": c.textRules.map {
                        ["regex": $0.pattern, "weight": $0.weight, "supporting": $0.supporting] as [String: Any]
                    },
                ])
            } else {
                var out = "\(c.id): \(c.title.text(lang))\n\n\(c.explanation.text(lang))\n\n"
                out += (lang == .zh ? "下一步" : "next") + ": \(c.nextStep.text(lang))\n"
                out +=
                    (lang == .zh ? "修复" : "fix") + ": "
                    + (c.playbooks.isEmpty ? "-" : c.playbooks.joined(separator: ", ")) + "\n"
                out += (lang == .zh ? "文本规则" : "text rules") + ":\n"
                for rule in c.textRules {
                    out += "  \(rule.supporting ? "+" : "*") \(rule.pattern)  (\(rule.weight))\n"
                }
                if !c.clusterRules.isEmpty {
                    out += (lang == .zh ? "集群规则" : "cluster rules") + ": \(c.clusterRules.joined(separator: ", "))\n"
                }
                console.out(out)
            }
            return .ok
        }
    }
}
