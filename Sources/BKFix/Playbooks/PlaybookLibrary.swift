import Foundation

/// Finds playbooks by id in the extra folders (`--playbooks`) and then the built-in `playbooks/`.
public struct PlaybookLibrary: Sendable {
    public var directories: [String]

    public init(directories: [String]) { self.directories = directories }

    /// Every playbook file, first folder wins for a given id.
    public func files() -> [String: String] {
        var out: [String: String] = [:]
        for dir in directories {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                let id = (name as NSString).deletingPathExtension
                if out[id] == nil { out[id] = (dir as NSString).appendingPathComponent(name) }
            }
        }
        return out
    }

    /// Loads the playbook with this id, or fails with close names as suggestions.
    public func load(id: String) throws -> Playbook {
        let all = files()
        guard let path = all[id] else {
            throw PlaybookError.unknownPlaybook(id: id, suggestions: Self.suggestions(for: id, among: Array(all.keys)))
        }
        return try PlaybookLoader.load(path: path)
    }

    /// Loads every playbook; invalid ones are returned as issues.
    public func loadAll() -> (playbooks: [Playbook], issues: [LintIssue]) {
        var playbooks: [Playbook] = []
        var issues: [LintIssue] = []
        for (_, path) in files().sorted(by: { $0.key < $1.key }) {
            let (p, i) = PlaybookLoader.lint(path: path)
            if let p, i.isEmpty { playbooks.append(p) } else { issues += i }
        }
        return (playbooks, issues)
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
