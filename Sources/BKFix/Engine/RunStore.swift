import Foundation

/// A run as history shows it: its record plus the commit that holds it.
public struct RunEntry: Sendable {
    public var record: RunRecord
    public var commit: StateCommit
    /// The rollback run that undid this run, if any.
    public var rolledBackBy: String?
}

/// The state repo's layout and the queries on it: `hosts/<host>/<path>` holds the last known content of every
/// managed file, `runs/<id>.json` the record of each run, one commit per run with trailers (SPEC §10).
public final class RunStore: @unchecked Sendable {
    public let repo: StateRepo
    /// Runtime files that must not be committed (lock, journals) live inside `.git/bkfix/`.
    public let runtimeDir: String

    public init(repo: StateRepo) throws {
        self.repo = repo
        self.runtimeDir = Self.runtimeDir(ofRepoAt: repo.path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: runtimeDir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw StateRepoError.runtimeDirUnusable(
                path: runtimeDir, reason: "it is a file, not a directory; move it away (it is not bkfix's)")
        }
        do {
            try FileManager.default.createDirectory(atPath: runtimeDir, withIntermediateDirectories: true)
        } catch {
            throw StateRepoError.runtimeDirUnusable(path: runtimeDir, reason: "cannot create it")
        }
    }

    /// `STATE/.git/bkfix`, known before the repo is opened (the SSH control sockets' folder lives in it).
    public static func runtimeDir(ofRepoAt path: String) -> String {
        (path as NSString).appendingPathComponent(".git/bkfix")
    }

    public static func open(path: String) throws -> RunStore { try RunStore(repo: try StateRepo.open(at: path)) }

    /// Repo path of a host file's last known content: `hosts/<host>/<path>`, or for a cluster pseudo-host
    /// (`cluster:<context>`, see `ClusterTransport`) `cluster/<context>/<path>`. (Only this host → folder mapping
    /// and its inverse in `managedFiles` are the cluster slice's; the rest of the layout is the state repo's.)
    public static func hostPath(_ host: String, _ path: String) -> String {
        let relative = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if let folder = ClusterPath.repoFolder(ofHost: host) { return folder + "/" + relative }
        return "hosts/\(host)/" + relative
    }

    static func runPath(_ id: String) -> String { "runs/\(id).json" }

    public static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .iso8601
        return e
    }()

    public static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    /// Before a run touches files, commit their live content where it differs from what the repo knows
    /// (first sight: `baseline`; changed outside bkfix: `drift`), so every pre-image is in git before any write.
    /// Returns the commit that holds the pre-images.
    @discardableResult
    public func recordPreImages(_ files: [(host: String, path: String, live: Data?)]) throws -> String? {
        var updates: [String: Data?] = [:]
        var drifted: [String] = []
        var baselined: [String] = []
        var everManaged: Set<String>?  // read from the log once, and only if a file is new to HEAD
        for f in files {
            let key = Self.hostPath(f.host, f.path)
            let known = try repo.read(key)
            guard known != f.live else { continue }
            if known == nil && everManaged == nil { everManaged = managedEver() }
            let everSeen = known != nil || everManaged?.contains(key) == true
            if everSeen {
                drifted.append("\(f.host):\(f.path)")
            } else {
                baselined.append("\(f.host):\(f.path)")
            }
            updates[key] = f.live
        }
        if !updates.isEmpty {
            let kind = drifted.isEmpty ? "baseline" : "drift"
            let what = (drifted + baselined).joined(separator: ", ")
            let subject =
                drifted.isEmpty
                ? "baseline: first record of \(what)"
                : "drift: \(drifted.joined(separator: ", ")) changed outside bkfix"
            let message =
                "\(subject)\n\nKind: \(kind)\nHost: \(Set(files.map(\.host)).sorted().joined(separator: ", "))\n"
                + "Bkfix-Version: \(BuildInfo.stamp)\n"
            try repo.commit(updates: updates, message: message)
        }
        return try repo.head()
    }

    /// Every repo path some commit ever recorded (a managed file absent from HEAD was deleted, not never seen).
    private func managedEver() -> Set<String> {
        Set(((try? repo.log()) ?? []).flatMap(\.changedPaths))
    }

    /// Commits a finished (or failed) run: new file contents under `hosts/` and the record under `runs/`.
    @discardableResult
    public func commitRun(_ record: RunRecord, contents: [String: Data?]) throws -> String {
        var updates = contents
        updates[Self.runPath(record.id)] = try Self.encoder.encode(record)
        let changed = record.files.filter { $0.status == .done }.count
        let ran = record.commands.filter { $0.status == .done }.count
        var message = "\(record.kind.rawValue) \(record.playbook): \(record.status.rawValue)"
        message += " (\(changed) file\(changed == 1 ? "" : "s"), \(ran) command\(ran == 1 ? "" : "s"))\n\n"
        message += record.title.en + "\n"
        for f in record.files { message += "\(f.host):\(f.path) \(f.op.rawValue) [\(f.status.rawValue)]\n" }
        for c in record.commands { message += "\(c.host): \(c.argv.joined(separator: " ")) [\(c.status.rawValue)]\n" }
        if let error = record.error { message += "error: \(error)\n" }
        message += "\nRun-Id: \(record.id)\nKind: \(record.kind.rawValue)\nPlaybook: \(record.playbook)\n"
        message += "Case: \(record.cases.isEmpty ? "-" : record.cases.joined(separator: ", "))\n"
        message += "Host: \(record.hosts.isEmpty ? "control" : record.hosts.joined(separator: ", "))\n"
        message += "Operator: \(record.operator)\nStatus: \(record.status.rawValue)\n"
        if let of = record.rollbackOf { message += "Rollback-Of: \(of)\n" }
        message += "Bkfix-Version: \(BuildInfo.stamp)\n"
        return try repo.commit(updates: updates, message: message)
    }

    /// Every run, newest first, with who rolled it back.
    public func runs() throws -> [RunEntry] {
        var entries: [RunEntry] = []
        var rolledBack: [String: String] = [:]
        for commit in try repo.log() {
            guard let id = commit.trailers["Run-Id"], let kind = commit.trailers["Kind"],
                kind == "apply" || kind == "rollback",
                let data = try repo.read(Self.runPath(id), at: commit.oid)
            else { continue }
            let record: RunRecord
            do {
                record = try Self.decoder.decode(RunRecord.self, from: data)
            } catch {
                throw StateRepoError.corruptRecord(
                    path: Self.runPath(id), commit: commit.oid, reason: Self.decodingProblem(error))
            }
            if let of = record.rollbackOf, record.status == .applied || record.status == .verifyFailed {
                rolledBack[of] = rolledBack[of] ?? record.id
            }
            entries.append(RunEntry(record: record, commit: commit, rolledBackBy: nil))
        }
        return entries.map {
            var e = $0
            e.rolledBackBy = rolledBack[e.record.id]
            return e
        }
    }

    /// What is wrong with a record that does not decode, in one line (Foundation's own message names nothing).
    public static func decodingProblem(_ error: Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted: return "not valid JSON"
        case .keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c):
            return "bad value at \(c.codingPath.map(\.stringValue).joined(separator: ".")): \(c.debugDescription)"
        default: return error.localizedDescription
        }
    }

    public func run(_ id: String) throws -> RunEntry {
        // An empty id (an unset shell variable) is a prefix of every id: it must never pick the only run.
        guard !id.trimmingCharacters(in: .whitespaces).isEmpty else { throw EngineError.unknownRun(id: id) }
        let all = try runs()
        if let e = all.first(where: { $0.record.id == id }) { return e }
        let matches = all.filter { $0.record.id.hasPrefix(id) || $0.record.id.hasSuffix(id) }
        if matches.count == 1 { return matches[0] }
        if matches.count > 1 { throw EngineError.ambiguousRun(id: id, matches: matches.map(\.record.id)) }
        throw EngineError.unknownRun(id: id)
    }

    /// Every managed file: (host, host path) from the `hosts/` tree at HEAD, then the cluster objects of the
    /// `cluster/` tree (helm's recorded answers are observations, not managed files: they are left out).
    public func managedFiles() throws -> [(host: String, path: String)] {
        let files: [(host: String, path: String)] = try repo.list(under: "hosts").compactMap { key in
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count == 3 else { return nil }
            return (parts[1], "/" + parts[2])
        }
        let objects: [(host: String, path: String)] = try repo.list(under: "cluster").compactMap { key in
            let parts = key.split(separator: "/", maxSplits: 2).map(String.init)
            guard parts.count == 3, let path = try? ClusterPath("/" + parts[2]), !path.isObservation else { return nil }
            return (ClusterPath.host(repoFolder: parts[1]), path.path)
        }
        return files + objects
    }
}
