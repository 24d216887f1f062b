import ArgumentParser
import BKFix
import Foundation

/// Shell completion candidates that depend on this machine: playbook ids, case ids, the `-p` parameters of the
/// playbook on the command line, and run ids from the state repo. ArgumentParser calls these (through
/// `CompletionKind.custom`) when the shell asks; they read `--root`, `--state`, `--playbooks` and `--cases` from the
/// words typed so far, never fail, and never create anything.
enum Completions {
    /// Every playbook id the command line would see.
    static func playbookIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let ids = (try? playbooks(words).entries().map(\.id)) ?? []
        return ids.filter { $0.hasPrefix(prefix) }
    }

    /// Every case id the command line would see.
    static func caseIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let library = CaseLibrary(given: values(of: "--cases", in: words), root: root(words))
        let ids = (try? library.list().cases.map(\.definition.id)) ?? []
        return ids.filter { $0.hasPrefix(prefix) }
    }

    /// `name=` for each parameter of the playbook named on the command line (`bkfix plan hub-hosts -p i` → `ip=`).
    static func paramNames(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let library = playbooks(words)
        guard let ids = try? Set(library.entries().map(\.id)),
            let id = words.indices.first(where: { $0 != index && ids.contains(words[$0]) }).map({ words[$0] }),
            let playbook = try? library.load(id: id)
        else { return [] }
        return playbook.params.map { "\($0.name)=" }.filter { $0.hasPrefix(prefix) }
    }

    /// The ids of the recorded runs, newest first (none when there is no state repo yet: completion creates none).
    static func runIDs(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let state =
            values(of: "--state", in: words).last.map(absolute)
            ?? Home.stateDir(environment: ProcessInfo.processInfo.environment)
        guard StateRepo.exists(at: state),
            let runs = try? RunStore.open(path: state, create: false, checkingRepo: false).summaries()
        else { return [] }
        return runs.map(\.id).filter { $0.hasPrefix(prefix) }
    }

    private static func playbooks(_ words: [String]) -> PlaybookLibrary {
        PlaybookLibrary(given: values(of: "--playbooks", in: words).map(absolute), root: root(words))
    }

    private static func root(_ words: [String]) -> String { values(of: "--root", in: words).last.map(absolute) ?? "/" }

    /// The values given to `option` (`--root DIR` or `--root=DIR`), in order.
    static func values(of option: String, in words: [String]) -> [String] {
        var out: [String] = []
        for (i, word) in words.enumerated() {
            if word == option, i + 1 < words.count {
                out.append(words[i + 1])
            } else if word.hasPrefix(option + "=") {
                out.append(String(word.dropFirst(option.count + 1)))
            }
        }
        return out
    }

    private static func absolute(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    }
}
