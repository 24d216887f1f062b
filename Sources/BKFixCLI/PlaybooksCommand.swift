import ArgumentParser
import BKFix
import Foundation

/// `bkfix playbooks`: every playbook bkfix knows.
struct PlaybooksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "playbooks", abstract: "List the playbooks.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let listed = try global.session().library.list()
            let issues = listed.flatMap(\.issues)
            if global.json {
                console.json([
                    "playbooks": listed.compactMap { item in
                        item.playbook.map {
                            [
                                "id": $0.id, "title": $0.title.text(console.lang), "cases": $0.cases, "file": $0.file,
                                "source": item.entry.file.origin.name,
                                "overrides": item.entry.hidden.map(\.location),
                            ] as [String: Any]
                        }
                    },
                    "invalid": issues.map(\.description),
                ])
            } else {
                for item in listed {
                    guard let p = item.playbook else { continue }
                    console.out(
                        "\(p.id.padding(toLength: 18, withPad: " ", startingAt: 0)) \(p.title.text(console.lang))  [\(p.cases.joined(separator: ", "))]\n"
                    )
                    if item.entry.isNotable {
                        console.out(String(repeating: " ", count: 19) + item.entry.provenance + "\n")
                    }
                }
                for i in issues { console.err("invalid playbook: \(i)\n") }
            }
            return issues.isEmpty ? .ok : .badInput
        }
    }
}

/// `bkfix playbook show ID` and `bkfix playbook lint FILE...`.
struct PlaybookCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "playbook", abstract: "Show or lint one playbook.", subcommands: [Show.self, Lint.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a playbook: parameters, steps, verify checks.")

        @Argument(help: "Playbook id.", completion: .custom(Completions.playbookIDs)) var id: String
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let console = Console(options: global)
            try console.run {
                let library = global.session().library
                let p = try library.load(id: id)
                let entry = try library.entry(id: id)
                let lang = console.lang
                if global.json {
                    console.json([
                        "id": p.id, "title": p.title.text(lang), "description": p.description?.text(lang) ?? "",
                        "cases": p.cases, "file": p.file, "source": entry?.file.origin.name ?? "",
                        "overrides": entry?.hidden.map(\.location) ?? [],
                        "params": p.params.map {
                            [
                                "name": $0.name, "type": $0.type.rawValue, "required": $0.required,
                                "default": $0.defaultValue?.jsonObject ?? NSNull(),
                            ]
                        },
                        "steps": p.steps.map(\.kind), "verify": p.verify.map(\.kind),
                    ])
                    return .ok
                }
                var s = "\(p.id): \(p.title.text(lang))\n"
                if let d = p.description { s += "\n\(d.text(lang))\n" }
                s += "\ncases: \(p.cases.joined(separator: ", "))\n"
                s += "file: \(entry?.file.described ?? p.file)\n"
                if let note = entry?.overrideNote { s += "\(note)\n" }
                s += "\nparams:\n"
                for prm in p.params {
                    s += "  \(prm.name) (\(prm.type.rawValue)\(prm.required ? ", required" : ""))"
                    if let d = prm.defaultValue { s += " default \(d.display)" }
                    if !prm.values.isEmpty { s += " one of \(prm.values.joined(separator: "|"))" }
                    if let d = prm.description { s += " — \(d.text(lang))" }
                    s += "\n"
                }
                s += "\nsteps:\n" + p.steps.map { "  - \($0.kind) \(args($0))\n" }.joined()
                if !p.verify.isEmpty { s += "\nverify:\n" + p.verify.map { "  - \($0.kind) \(args($0))\n" }.joined() }
                console.out(s)
                return .ok
            }
        }

        func args(_ s: StepSpec) -> String {
            var parts = s.args.keys.sorted().map { "\($0)=\(s.args[$0]!.display)" }
            if let on = s.on { parts.append("on=\(on.display)") }
            return parts.joined(separator: " ")
        }
    }

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate playbook files; errors as file:line:column.")

        @Argument(help: "Playbook files.", completion: .file(extensions: ["yaml", "yml"])) var files: [String]
        @OptionGroup var global: GlobalOptions

        func run() throws {
            let console = Console(options: global)
            try console.run {
                var all: [LintIssue] = []
                for f in files { all += PlaybookLoader.lint(path: global.absolute(f)).1 }
                if global.json {
                    console.json([
                        "ok": all.isEmpty,
                        "issues": all.map {
                            ["file": $0.file, "line": $0.line, "column": $0.column, "message": $0.message]
                        },
                    ])
                } else if all.isEmpty {
                    console.out("ok: \(files.count) playbook\(files.count == 1 ? "" : "s") valid\n")
                } else {
                    for i in all { console.err("\(i)\n") }
                }
                return all.isEmpty ? .ok : .badInput
            }
        }
    }
}
