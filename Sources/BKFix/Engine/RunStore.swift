import Foundation

/// A run as `show` and `rollback` read it: its record plus the commit that holds it.
public struct RunEntry: Sendable {
    public var record: RunRecord
    public var commit: StateCommit
    /// The rollback run that undid this run, if any.
    public var rolledBackBy: String?
}

/// The state repo's layout and the queries on it (SPEC §10): `hosts/<host>/<path>` holds the last known content of
/// every managed file, `runs/YYYY/MM/<id>.json` the record of each run (in git only, not in the working tree), one
/// commit per run with trailers (`RunTrailers`). Queries walk commit headers newest first, answer from the
/// trailers and stop as soon as they have their answer; a record is decoded only for a run that is shown.
public final class RunStore: @unchecked Sendable {
    public let repo: StateRepo
    /// Runtime files that must not be committed (lock, journals) live inside `.git/bkfix/`.
    public let runtimeDir: String
    /// Set once this process has made sure the repo has the current layout.
    private let layoutChecked = NSLock()
    private var layoutIsCurrent = false

    /// Folders whose files live in git only.
    public static let gitOnlyFolders = ["runs/"]
    /// The layout this bkfix writes: 2 = sharded records in git only, private modes, no reflogs.
    static let layoutVersion: Int32 = 2
    static let layoutKey = "bkfix.layout"

    public init(repo: StateRepo) throws {
        self.repo = repo
        self.runtimeDir = Self.runtimeDir(ofRepoAt: repo.path)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: runtimeDir, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StateRepoError.runtimeDirUnusable(
                    path: runtimeDir, reason: "it is a file, not a directory; move it away (it is not bkfix's)")
            }
        } else {
            // The first use of this repo by bkfix: make sure it is a sound repository before writing into it.
            _ = try repo.head()
            if mkdir(runtimeDir, 0o700) != 0 && errno != EEXIST {
                throw StateRepoError.runtimeDirUnusable(path: runtimeDir, reason: "cannot create it")
            }
        }
    }

    /// `STATE/.git/bkfix`, known before the repo is opened (the SSH control sockets' folder lives in it).
    public static func runtimeDir(ofRepoAt path: String) -> String {
        (path as NSString).appendingPathComponent(".git/bkfix")
    }

    /// Opens the store at `path` (creating the repo on first use) and checks the repository, before a command
    /// takes the lock or writes anything. With `checkingRepo: false`, libgit2 is opened only when a query needs it:
    /// `history` answered by the run index needs none (and skips libgit2's start-up cost).
    public static func open(path: String, create: Bool = true, checkingRepo: Bool = true) throws -> RunStore {
        let repo = try StateRepo.open(at: path, create: create, gitOnly: gitOnlyFolders)
        if checkingRepo { _ = try repo.head() }
        return try RunStore(repo: repo)
    }

    /// Repo path of a host file's last known content: `hosts/<host>/<path>`, or for a cluster pseudo-host
    /// (`cluster:<context>`, see `ClusterTransport`) `cluster/<context>/<path>`. (Only this host → folder mapping
    /// and its inverse in `managedFiles` are the cluster slice's; the rest of the layout is the state repo's.)
    public static func hostPath(_ host: String, _ path: String) -> String {
        let relative = path.hasPrefix("/") ? String(path.dropFirst()) : path
        if let folder = ClusterPath.repoFolder(ofHost: host) { return folder + "/" + relative }
        return "hosts/\(host)/" + relative
    }

    /// Repo path of a run record: `runs/YYYY/MM/<id>.json`, by the date in the id (`20261126-...`), else `started`.
    static func runPath(_ id: String, started: Date) -> String {
        if let folder = shardFolder(id) { return folder + id + ".json" }
        let day = RunTrailers.isoSeconds(started)
        return "runs/\(day.prefix(4))/\(day.dropFirst(5).prefix(2))/\(id).json"
    }

    /// `runs/YYYY/MM/` from an id that starts with its date (`20261126-191500-3f2a`), nil for other ids.
    private static func shardFolder(_ id: String) -> String? {
        let digits = id.utf8.prefix(8)
        guard digits.count == 8, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), id.utf8.dropFirst(8).first == 0x2D
        else { return nil }
        let text = String(decoding: digits, as: UTF8.self)
        return "runs/\(text.prefix(4))/\(text.dropFirst(4).prefix(2))/"
    }

    /// Where bkfix before the sharded layout kept a run record (still read from those commits).
    static func legacyRunPath(_ id: String) -> String { "runs/\(id).json" }

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

    // MARK: - Writing

    /// Before a run touches files, commit their live content where it differs from what the repo knows
    /// (first sight: `baseline`; changed outside bkfix: `drift`), so every pre-image is in git before any write.
    /// Returns the commit that holds the pre-images.
    @discardableResult
    public func recordPreImages(_ files: [(host: String, path: String, live: Data?)]) throws -> String? {
        try migrateIfNeeded()
        var updates: [String: Data?] = [:]
        var drifted: [(host: String, path: String)] = []
        var baselined: [(host: String, path: String)] = []
        var unknown: [(key: String, host: String, path: String, live: Data?)] = []
        for f in files {
            let key = Self.hostPath(f.host, f.path)
            let known = try repo.read(key)
            guard known != f.live else { continue }
            if known == nil {
                unknown.append((key, f.host, f.path, f.live))
            } else {
                drifted.append((f.host, f.path))
            }
            updates[key] = f.live
        }
        // A managed file absent from HEAD was deleted by a run, not never seen: its new content is drift.
        let everManaged = unknown.isEmpty ? [] : try managedEver(Set(unknown.map(\.key)))
        for f in unknown {
            if everManaged.contains(f.key) {
                drifted.append((f.host, f.path))
            } else {
                baselined.append((f.host, f.path))
            }
        }
        if !updates.isEmpty {
            let kind = drifted.isEmpty ? "baseline" : "drift"
            let names = { (list: [(host: String, path: String)]) in list.map { "\($0.host):\($0.path)" } }
            let subject =
                drifted.isEmpty
                ? "baseline: first record of \(names(baselined).joined(separator: ", "))"
                : "drift: \(names(drifted).joined(separator: ", ")) changed outside bkfix"
            var trailers = ["\(RunTrailers.kind): \(kind)"]
            trailers += Set(files.map(\.host)).sorted().map { "\(RunTrailers.host): \(RunTrailers.encode($0))" }
            trailers += (drifted + baselined).map {
                "\(RunTrailers.file): \(RunTrailers.encode(RunTrailers.fileRef(host: $0.host, path: $0.path)))"
            }
            trailers.append("\(RunTrailers.version): \(BuildInfo.stamp)")
            try repo.commit(updates: updates, message: "\(subject)\n\n" + trailers.joined(separator: "\n") + "\n")
            updateIndex()
        }
        return try repo.head()
    }

    /// Which of `keys` (repo paths under `hosts/`) some commit ever recorded. Commits that name their files in
    /// `File:` trailers are answered from the walk; older ones by their changed paths. Stops once all are found.
    private func managedEver(_ keys: Set<String>) throws -> Set<String> {
        var found = Set<String>()
        try repo.walk { header in
            let kind = header.value(RunTrailers.kind)
            if kind == "migrate" { return true }
            let files = header.values(RunTrailers.file)
            if !files.isEmpty || header.value(RunTrailers.record) != nil {
                for ref in files {
                    guard let file = RunTrailers.splitFileRef(RunTrailers.decode(ref)) else { continue }
                    let key = Self.hostPath(file.host, file.path)
                    if keys.contains(key) { found.insert(key) }
                }
            } else {
                found.formUnion(try repo.describeCommit(header.oid).changedPaths.filter(keys.contains))
            }
            return found.count < keys.count
        }
        return found
    }

    /// Commits a finished (or failed) run: new file contents under `hosts/` and the record under `runs/`.
    @discardableResult
    public func commitRun(_ record: RunRecord, contents: [String: Data?]) throws -> String {
        try migrateIfNeeded()
        let recordPath = Self.runPath(record.id, started: record.started)
        var updates = contents
        updates[recordPath] = try Self.encoder.encode(record)
        let changed = record.files.filter { $0.status == .done }.count
        let ran = record.commands.filter { $0.status == .done }.count
        var message = "\(record.kind.rawValue) \(record.playbook): \(record.status.rawValue)"
        message += " (\(changed) file\(changed == 1 ? "" : "s"), \(ran) command\(ran == 1 ? "" : "s"))\n\n"
        message += record.title.en + "\n"
        for f in record.files { message += "\(f.host):\(f.path) \(f.op.rawValue) [\(f.status.rawValue)]\n" }
        for c in record.commands { message += "\(c.host): \(c.argv.joined(separator: " ")) [\(c.status.rawValue)]\n" }
        if let error = record.error { message += "error: \(error)\n" }
        message += "\n" + RunTrailers.lines(for: record, recordPath: recordPath).joined(separator: "\n") + "\n"
        let oid = try repo.commit(updates: updates, message: message)
        updateIndex()
        return oid
    }

    /// `bkfix gc`: packs every object of the repo into one pack, under the state lock.
    public func gc(command: String) throws -> StatePackingReport {
        let lock = try StateLock.acquire(in: runtimeDir, command: command)
        defer { lock.release() }
        try migrateIfNeeded()
        return try repo.packAll()
    }

    // MARK: - Reading

    /// Runs newest first that `matches`, at most `limit` of them: the walk stops as soon as the limit is met.
    /// `rolledBackBy` is set (a rollback is newer than its run, so the walk has seen it).
    public func summaries(limit: Int? = nil, where matches: (RunSummary) -> Bool = { _ in true }) throws
        -> [RunSummary]
    {
        if limit == 0 { return [] }
        var found: [RunSummary] = []
        try walkRuns { run in
            if matches(run) { found.append(run) }
            return limit.map { found.count < $0 } ?? true
        }
        return found
    }

    /// `bkfix history`: the runs that pass `filter`, newest first, at most `limit`.
    public func history(_ filter: RunFilter, limit: Int? = nil) throws -> [RunSummary] {
        try summaries(limit: limit, where: filter.matches)
    }

    /// `history` handed over one run at a time (10,000 runs need not all be in memory); returns how many.
    @discardableResult
    public func history(_ filter: RunFilter, limit: Int? = nil, each visit: (RunSummary) throws -> Void) throws -> Int {
        if limit == 0 { return 0 }
        var count = 0
        try walkRuns { run in
            if filter.matches(run) {
                try visit(run)
                count += 1
            }
            return limit.map { count < $0 } ?? true
        }
        return count
    }

    /// Whether any run was ever recorded (reads commits back to the newest run only).
    public func hasRuns() throws -> Bool {
        try !summaries(limit: 1).isEmpty
    }

    /// The full record of a run and its commit.
    public func entry(_ run: RunSummary) throws -> RunEntry {
        let record = try decodeRecord(at: run.recordPath, commit: run.commit)
        return RunEntry(record: record, commit: try repo.describeCommit(run.commit), rolledBackBy: run.rolledBackBy)
    }

    /// Every run, newest first, with who rolled it back (decodes every record: prefer `summaries`).
    public func runs() throws -> [RunEntry] {
        try summaries().map(entry)
    }

    /// The run `id` names: the exact id, else the one id it is a prefix or suffix of.
    public func run(_ id: String) throws -> RunEntry {
        // An empty id (an unset shell variable) is a prefix of every id: it must never pick the only run.
        guard !id.trimmingCharacters(in: .whitespaces).isEmpty else { throw EngineError.unknownRun(id: id) }
        var exact: RunSummary?
        var partial: [RunSummary] = []
        try walkRuns { run in
            if run.id == id {
                exact = run
                return false
            }
            if run.id.hasPrefix(id) || run.id.hasSuffix(id) { partial.append(run) }
            return true
        }
        if let exact { return try entry(exact) }
        if partial.count == 1 { return try entry(partial[0]) }
        if partial.count > 1 { throw EngineError.ambiguousRun(id: id, matches: partial.map(\.id)) }
        throw EngineError.unknownRun(id: id)
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

    /// Walks the runs newest first, each with `rolledBackBy` set, until `visit` returns false: the commits newer
    /// than the index from git, then the index (`RunIndex`), and git again from where a damaged index line stops.
    private func walkRuns(_ visit: (RunSummary) throws -> Bool) throws {
        var undoneBy: [String: String] = [:]
        func emit(_ found: RunSummary) throws -> Bool {
            var run = found
            run.rolledBackBy = undoneBy[run.id]
            if let target = run.undoes, undoneBy[target] == nil { undoneBy[target] = run.id }
            return try visit(run)
        }
        func walkGit(from start: String?) throws {
            try repo.walk(from: start) { header in try summary(of: header).map(emit) ?? true }
        }
        guard let index = RunIndex.load(in: runtimeDir) else { return try walkGit(from: nil) }
        var newer: [RunSummary] = []
        // An index that ends at HEAD answers alone: no libgit2 (nor its start-up cost) for this history.
        var reached = repo.peekHead() == index.lastCommit
        if !reached {
            try repo.walk { header in
                if header.oid == index.lastCommit {
                    reached = true
                    return false
                }
                if let run = try summary(of: header) { newer.append(run) }
                return true
            }
        }
        for run in newer { guard try emit(run) else { return } }
        // Not reached: the index belongs to another history (rewritten by hand), and `newer` was all of this one.
        guard reached else { return }
        var resume: String? = index.lastCommit
        var stopped = false
        let end = try index.walkNewestFirst { entry in
            resume = entry.parent
            guard let run = entry.run, try !emit(run) else { return true }
            stopped = true
            return false
        }
        if end == .damaged, !stopped, let resume { try walkGit(from: resume) }
    }

    /// Brings the index up to date after this process committed: appends the new commits' lines (reading only
    /// the index's end), or rebuilds it from git when it is missing, damaged or not this history's. Best effort:
    /// a run is recorded whether or not its index line could be written (readers fall back to git).
    private func updateIndex() {
        let tail = RunIndex.tail(in: runtimeDir)
        var newer: [(commit: String, parent: String?, run: RunSummary?)] = []
        var reached = false
        do {
            try repo.walk { header in
                if header.oid == tail?.lastCommit {
                    reached = true
                    return false
                }
                newer.append((header.oid, header.parent, try summary(of: header)))
                return true
            }
            if reached, tail?.endsCleanly == true {
                try RunIndex.append(newer.reversed(), in: runtimeDir)
            } else {
                try RunIndex.write(newer.reversed(), in: runtimeDir)
            }
        } catch {
            unlink(RunIndex.path(in: runtimeDir))
        }
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

    /// The run a commit records, from its trailers, or from its decoded record for a commit of an older bkfix;
    /// nil for commits that are not runs (baseline, drift, migrate).
    private func summary(of header: StateCommitHeader) throws -> RunSummary? {
        guard let kind = header.value(RunTrailers.kind), kind == "apply" || kind == "rollback",
            let id = header.value(RunTrailers.runID)
        else { return nil }
        if let run = RunSummary(trailersOf: header) { return run }
        let path = Self.legacyRunPath(id)
        guard let data = try repo.read(path, at: header.oid) else { return nil }
        let record = try Self.decodeRecord(data, path: path, commit: header.oid)
        return RunSummary(record: record, recordPath: path, commit: header.oid, parent: header.parent)
    }

    private func decodeRecord(at path: String, commit: String) throws -> RunRecord {
        guard let data = try repo.read(path, at: commit) else {
            throw StateRepoError.corruptRecord(path: path, commit: commit, reason: "the file is missing")
        }
        return try Self.decodeRecord(data, path: path, commit: commit)
    }

    private static func decodeRecord(_ data: Data, path: String, commit: String) throws -> RunRecord {
        do {
            return try decoder.decode(RunRecord.self, from: data)
        } catch {
            throw StateRepoError.corruptRecord(path: path, commit: commit, reason: decodingProblem(error))
        }
    }

    // MARK: - Layout

    /// On the first mutating use of a repo written by an older bkfix: moves flat `runs/<id>.json` records into
    /// `runs/YYYY/MM/` and out of the working tree in one commit that says so, turns reflogs off and makes every
    /// file and folder private. Read-only commands never call it: they read old layouts as they are.
    func migrateIfNeeded() throws {
        layoutChecked.lock()
        defer { layoutChecked.unlock() }
        if layoutIsCurrent { return }
        if try repo.configInt(Self.layoutKey) ?? 0 >= Self.layoutVersion {
            layoutIsCurrent = true
            return
        }
        var updates: [String: Data?] = [:]
        for name in try repo.files(in: "runs") where name.hasSuffix(".json") {
            let old = "runs/\(name)"
            guard let data = try repo.read(old) else { continue }
            let id = String(name.dropLast(5))
            let started =
                Self.shardFolder(id) != nil
                ? Date(timeIntervalSince1970: 0) : (try? Self.decoder.decode(RunRecord.self, from: data))?.started
            guard let started else { continue }  // neither its id nor its record says when: left where it is
            updates[old] = .some(nil)
            updates[Self.runPath(id, started: started)] = data
        }
        try repo.setPrivateDefaults()
        try repo.keepGitOnlyFoldersOutOfCheckouts()
        if !updates.isEmpty {
            let moved = updates.count / 2
            let message = """
                migrate: \(moved) run record\(moved == 1 ? "" : "s") moved to runs/YYYY/MM/

                bkfix now keeps each run record at runs/YYYY/MM/<id>.json, in git only (read it with
                `bkfix show ID` or `git show HEAD:runs/YYYY/MM/<id>.json`), so no folder of the repo grows
                without bound and the working tree holds only hosts/. Older commits keep their records at
                runs/<id>.json, where bkfix still reads them.

                \(RunTrailers.kind): migrate
                \(RunTrailers.layout): \(Self.layoutVersion)
                \(RunTrailers.version): \(BuildInfo.stamp)

                """
            try repo.commit(updates: updates, message: message)
        }
        updateIndex()
        repo.makePrivate()
        try repo.setConfigInt(Self.layoutKey, Self.layoutVersion)
        layoutIsCurrent = true
    }
}
