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

    @Option(help: "Case folder (default: the built-in cases/).")
    var cases: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let catalog = try ClusterOptions.catalog(cases: cases, global)
            if global.json {
                console.json([
                    "cases": catalog.cases.map {
                        ["id": $0.id, "title": $0.title.text(console.lang), "playbooks": $0.playbooks] as [String: Any]
                    }
                ])
            } else {
                let width = catalog.cases.map(\.id.count).max() ?? 0
                for c in catalog.cases {
                    let fix = c.playbooks.isEmpty ? "-" : c.playbooks.joined(separator: ", ")
                    console.out(
                        c.id.padding(toLength: width + 2, withPad: " ", startingAt: 0) + c.title.text(console.lang)
                            + "  [\(fix)]\n")
                }
            }
            return .ok
        }
    }
}

/// `bkfix cases show ID`.
struct CasesShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one case: texts, rules, playbooks.")

    @Argument(help: "Case id (see `bkfix cases`).")
    var id: String

    @Option(help: "Case folder (default: the built-in cases/).")
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
