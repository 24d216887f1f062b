import Foundation

/// A playbook as `bkfix playbooks` lists it: the file that defines it (and the ones it hides), and the playbook or
/// the problems of that file.
public struct ListedPlaybook: Sendable {
    public let entry: DefinitionEntry
    public let playbook: Playbook?
    public let issues: [LintIssue]
}

/// Finds playbooks by id: in the `--playbooks` folders (in the order given), then the site's
/// `/etc/bkfix/playbooks`, then the ones built into bkfix. The first file of an id wins.
public struct PlaybookLibrary: Sendable {
    public let searchPath: DefinitionSearchPath

    public init(searchPath: DefinitionSearchPath) { self.searchPath = searchPath }

    /// The standard look-up: `given` folders, then `ROOT/etc/bkfix/playbooks`, then the built-in playbooks.
    public init(given: [String], root: String, builtIn: [DefinitionFile] = EmbeddedDefinitions.playbooks) {
        self.init(searchPath: DefinitionSearchPath(standard: "playbooks", given: given, root: root, builtIn: builtIn))
    }

    /// A `--playbooks` folder that is missing, is not a folder, or holds no valid playbook is an error: a typo must
    /// never silently fall back to the built-in playbooks.
    public func checkGivenFolders() throws {
        for place in try searchPath.places() {
            guard case .given = place.origin else { continue }
            let linted = place.files.map { PlaybookLoader.lint($0) }
            if linted.contains(where: { $0.0 != nil && $0.1.isEmpty }) { continue }
            throw DefinitionFolderError.nothingValid(
                option: searchPath.option, path: place.folder, kind: "playbook",
                problems: linted.flatMap { $0.1.map(\.description) })
        }
    }

    /// Every playbook id with the file that defines it.
    public func entries() throws -> [DefinitionEntry] {
        DefinitionSearchPath.entries(try searchPath.files().map { ($0.stem, $0) })
    }

    /// Loads the playbook with this id, or fails with close names as suggestions.
    public func load(id: String) throws -> Playbook {
        let all = try entries()
        guard let entry = all.first(where: { $0.id == id }) else {
            throw PlaybookError.unknownPlaybook(id: id, suggestions: Self.suggestions(for: id, among: all.map(\.id)))
        }
        let (playbook, issues) = PlaybookLoader.lint(entry.file)
        guard let playbook, issues.isEmpty else { throw PlaybookError.invalid(issues) }
        return playbook
    }

    /// The file that defines this id, and what it hides (for `playbook show`).
    public func entry(id: String) throws -> DefinitionEntry? { try entries().first { $0.id == id } }

    /// Every playbook id, each loaded or with its problems.
    public func list() throws -> [ListedPlaybook] {
        try entries().map { entry in
            let (playbook, issues) = PlaybookLoader.lint(entry.file)
            return ListedPlaybook(entry: entry, playbook: issues.isEmpty ? playbook : nil, issues: issues)
        }
    }

    /// Loads every playbook; invalid ones, and folders that cannot be read, are returned as issues.
    public func loadAll() -> (playbooks: [Playbook], issues: [LintIssue]) {
        do {
            let listed = try list()
            return (listed.compactMap(\.playbook), listed.flatMap(\.issues))
        } catch {
            return ([], [LintIssue(file: searchPath.option, line: 0, message: error.localizedDescription)])
        }
    }

    /// Names within a small edit distance, or sharing a prefix, closest first.
    public static func suggestions(for name: String, among candidates: [String]) -> [String] {
        let scored = candidates.map { ($0, editDistance(name.lowercased(), $0.lowercased())) }
        return scored.filter { $0.1 <= max(2, name.count / 3) || $0.0.hasPrefix(name) || name.hasPrefix($0.0) }
            .sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 < $1.1 }.prefix(3).map(\.0)
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where j <= b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
}
