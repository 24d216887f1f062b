import Foundation

/// What the applier reports while it works, so the CLI can show progress.
public enum ApplyEvent: Sendable {
    case stepStarted(index: Int, total: Int, description: String)
    case output(index: Int, line: OutputLine, elapsed: Double)
    case stepFinished(index: Int, ok: Bool, description: String)
    case verify(VerifyResult)
}

/// Who and what started a run, for the record.
public struct RunOrigin: Sendable {
    public var operatorName: String
    public var machine: String
    public var command: [String]

    public init(operatorName: String, machine: String, command: [String]) {
        self.operatorName = operatorName
        self.machine = machine
        self.command = command
    }

    /// `SUDO_USER` when set (the human behind sudo), else the login user.
    public static func current(command: [String], environment: [String: String]) -> RunOrigin {
        let user =
            environment["SUDO_USER"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["USER"]
            ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "unknown"
        return RunOrigin(operatorName: user, machine: ProcessInfo.processInfo.hostName, command: command)
    }
}

/// Executes a plan exactly: checks the pins, journals every step, records pre-images in git, writes atomically,
/// runs commands, verifies, and commits the run. The first failing step stops the run (recorded as `failed`).
///
/// Only `RunEngine` calls it, under the state lock: a front end never applies without the engine's invariants.
public struct Applier: Sendable {
    public var store: RunStore
    public var hosts: HostDirectory
    public var installDir: String?
    public var language: Language
    public var environment: [String: String]
    /// When one host fails, its remaining steps are recorded as failed and the other hosts' steps still run.
    public var keepGoing = false
    /// How many nodes write at once (`--forks`).
    public var forks = 10
    /// The test-only crash points (inert unless `BKFIX_FAULT` or `BKFIX_FAULT_TRACE` is set).
    let faults: FaultInjector

    public init(
        store: RunStore, hosts: HostDirectory, installDir: String?, language: Language, environment: [String: String]
    ) {
        self.store = store
        self.hosts = hosts
        self.installDir = installDir
        self.language = language
        self.environment = environment
        self.faults = FaultInjector(environment: environment)
    }

    /// Refuses when any file the plan read has changed since (a stale plan), naming the file. A node's pins are
    /// read in one round trip (digests only), the nodes `forks` at a time; the first stale pin in plan order is
    /// the one reported.
    public func checkPins(_ plan: Plan) throws {
        let jobs = NodeReads(plan.pins.map { ($0.host, $0.path) }, hosts: hosts).nodes
        let answers = HostPool(width: forks).map(jobs.count, .sliding) { i in
            Result { try jobs[i].transport.digests(jobs[i].paths) }
        }
        for pin in plan.pins {
            let live: String?
            if let k = jobs.firstIndex(where: { $0.host == pin.host }), let answer = answers[k] {
                guard let digest = try answer.get()[pin.path] else {
                    throw EngineError.stalePlan(host: pin.host, path: pin.path)
                }
                live = try digest.get()
            } else {
                live = try hosts.transport(for: pin.host).read(pin.path).map { SHA256.hex($0.data) }
            }
            if live != pin.sha256 {
                throw EngineError.stalePlan(host: pin.host, path: pin.path)
            }
        }
    }

    func apply(
        _ plan: Plan, kind: RunKind = .apply, rollbackOf: String? = nil, origin: RunOrigin, notes: [String] = [],
        pinsChecked: Bool = false, events: @escaping @Sendable (ApplyEvent) -> Void = { _ in }
    ) throws -> RunRecord {
        // A path the repo cannot hold would fail only at the final commit, after the write, leaving a journal that
        // recover cannot record either: refuse it before anything happens.
        for f in plan.fileChanges {
            do {
                try StateRepo.validate(RunStore.hostPath(f.host, f.path))
            } catch {
                throw StateRepoError.unrecordablePath(host: f.host, path: f.path)
            }
        }
        if !pinsChecked { try checkPins(plan) }
        var record = RunRecord(
            id: RunID.make(), kind: kind, playbook: plan.playbook, cases: plan.cases, title: plan.title,
            params: plan.params, status: .running, started: Date(), finished: nil, operator: origin.operatorName,
            machine: origin.machine, command: origin.command, rollbackOf: rollbackOf, hosts: plan.hosts, files: [],
            commands: [], order: [], verify: [], notes: plan.notes + notes,
            notUndoable: plan.notUndoable.map(\.argv), error: nil, baseCommit: nil)
        for change in plan.changes {
            switch change {
            case .file(let f):
                record.order.append("file:\(record.files.count)")
                record.files.append(
                    FileRecord(
                        host: f.host, path: f.path, op: f.operation, beforeSHA256: f.before.map(SHA256.hex),
                        afterSHA256: f.after.map(SHA256.hex), beforeMeta: f.beforeMeta, afterMeta: f.afterMeta,
                        binary: f.binary, notes: f.notes, diff: PlanRenderer.diff(f, color: false), status: .pending))
            case .command(let c):
                record.order.append("command:\(record.commands.count)")
                record.commands.append(
                    CommandRecord(
                        host: c.host, argv: c.argv, workdir: c.workdir, risk: c.risk, undo: c.undo,
                        summary: c.summary, status: .pending, result: nil, ranArgv: nil, effect: c.effect))
            }
        }

        // The journal comes first, so a crash from here on is always reported with its run; then the pre-images go
        // into git before anything is written, and the journal learns where they are.
        let runtime = store.runtimeDir
        let observedBefore = observe(plan.observed ?? [], into: &record)
        try saveJournal(record)
        do {
            faults.reach(.beforeCommit)
            record.baseCommit = try store.recordPreImages(
                plan.fileChanges.map { ($0.host, $0.path, $0.before) } + observedBefore)
            faults.reach(.afterCommit)
            try saveJournal(record)
        } catch {
            // Nothing was written yet: the run did not start, and no journal may say it did.
            Journal.remove(in: runtime, id: record.id)
            throw error
        }

        // Hosts that failed (or could not be reached while planning) and why; only with --keep-going or such a plan.
        let progress = RunProgress(record: record, failedHosts: plan.unreachableHosts ?? [:])
        let schedule = ApplySchedule(plan, hosts: hosts)
        for (n, segment) in schedule.segments.enumerated() {
            if segment.concurrent {
                try runConcurrently(
                    segment, segmentIndex: n, plan: plan, schedule: schedule, progress: progress, events: events)
            } else {
                try runHostChanges(
                    plan.changes[segment.changes[0]].host, segment.changes, segmentIndex: n, plan: plan,
                    schedule: schedule, progress: progress, events: HostEvents(events))
            }
            let stop = progress.update { s -> Bool in
                if !s.failures.isEmpty {
                    // Every host that failed in the segment, in plan order: the first failing step comes first.
                    s.record.error = s.failures.sorted { $0.index < $1.index }.map(\.message).joined(separator: "; ")
                }
                if let sig = Interruption.requested {
                    s.record.error = (s.record.error.map { $0 + "; " } ?? "") + "interrupted by signal \(sig)"
                    return true
                }
                return s.record.error != nil
            }
            if stop { break }
        }
        let (failedHosts, snapshots) = progress.update { ($0.failedHosts, $0.verifySnapshots) }
        var contents = progress.update { $0.contents }
        record = progress.update { $0.record }

        if !failedHosts.isEmpty {
            record.hostErrors = failedHosts
            let perHost = failedHosts.keys.sorted().map { "\($0): \(failedHosts[$0]!)" }
            record.error = ([record.error].compactMap { $0 } + perHost).joined(separator: "; ")
        }
        if Interruption.requested != nil {
            record.status = .interrupted
            Self.skipPending(&record)
        } else if record.error == nil {
            record.verify = verify(plan.verify, snapshots: snapshots, events: events)
            record.status = record.verify.allSatisfy(\.ok) ? .applied : .verifyFailed
        } else if keepGoing && failedHosts.count < plan.hosts.count {
            // The hosts that went through are still checked; the run stays failed for the others.
            record.verify = verify(
                plan.verify.filter { failedHosts[$0.host] == nil }, snapshots: snapshots, events: events)
            record.status = .failed
        } else {
            record.status = .failed
            Self.skipPending(&record)
        }
        if Interruption.requested == nil, let observed = plan.observed, !observed.isEmpty {
            for (i, o) in observed.enumerated() {
                let live: FileSnapshot?
                do {
                    live = try hosts.transport(for: o.host).read(o.path)
                } catch {
                    record.notes.append(
                        "could not record \(o.path) on \(o.host) after the run: \(error.localizedDescription)")
                    continue
                }
                record.observed?[i].afterSHA256 = live.map { SHA256.hex($0.data) }
                contents[RunStore.hostPath(o.host, o.path)] = .some(live?.data)
            }
        }
        if kind == .rollback, let of = rollbackOf, record.status != .applied, record.status != .verifyFailed {
            record.error = (record.error.map { $0 + "; " } ?? "") + Self.leftovers(of: record, rollbackOf: of)
        }
        record.finished = Date()
        faults.reach(.beforeCommit)
        try store.commitRun(record, contents: contents)
        faults.reach(.afterCommit)
        Journal.remove(in: runtime, id: record.id)
        return record
    }

    /// A concurrent segment: its hosts `forks` at a time, each writing all its files in one round trip. Without
    /// `--keep-going`, hosts go window by window and none starts after a window in which one failed (HostPool).
    /// The journal is written once before the hosts start (all their files `started`) and once after they all
    /// finished, not per host: the hosts would otherwise wait for each other's journal writes.
    private func runConcurrently(
        _ segment: ApplySchedule.Segment, segmentIndex: Int, plan: Plan, schedule: ApplySchedule,
        progress: RunProgress, events: @escaping @Sendable (ApplyEvent) -> Void
    ) throws {
        let groups = ApplySchedule.byHost(segment, plan)
        try progress.update { s in
            for g in groups where s.failedHosts[g.host] == nil {
                for i in g.changes { setStatus(&s.record, schedule.slots[i], .started) }
            }
            try saveJournal(s.record)
        }
        let sinks = groups.map { _ in HostEvents(events, holding: true) }
        // A host stops the next window when it failed or its journal could not be written.
        let stop: @Sendable (Result<Bool, any Error>) -> Bool = { outcome in
            if case .success(true) = outcome { return false }
            return true
        }
        let width = faults.armed ? 1 : forks
        let outcomes = HostPool(width: width).map(groups.count, keepGoing ? .sliding : .windows, stop: stop) {
            i -> Result<Bool, any Error> in
            Result {
                try runHostChanges(
                    groups[i].host, groups[i].changes, segmentIndex: segmentIndex, plan: plan, schedule: schedule,
                    progress: progress, events: sinks[i], journaled: true)
            }
        }
        for sink in sinks { sink.flush() }
        try progress.update { s in
            // The hosts of windows that never started did not write anything.
            for (g, outcome) in zip(groups, outcomes) where outcome == nil {
                for i in g.changes { setStatus(&s.record, schedule.slots[i], .pending) }
            }
            try saveJournal(s.record)
        }
        for case .failure(let error)? in outcomes { throw error }
    }

    /// Runs one host's changes of a segment; true when they all went through. A node's file changes of a concurrent
    /// segment go in one round trip (writes in order, stopping at the first failure, then the reads of its checks
    /// when this is its last write); any other change runs alone. Throws only when the journal cannot be written.
    /// `journaled`: the caller writes the journal before and after (a concurrent segment), this does not.
    @discardableResult
    private func runHostChanges(
        _ host: String, _ indices: [Int], segmentIndex: Int, plan: Plan, schedule: ApplySchedule,
        progress: RunProgress, events: HostEvents, journaled: Bool = false
    ) throws -> Bool {
        let total = plan.changes.count
        // A host that already failed (with --keep-going) does nothing more: its steps are failed too.
        let alreadyFailed = progress.update { s -> Bool in
            guard s.failedHosts[host] != nil else { return false }
            for i in indices { setStatus(&s.record, schedule.slots[i], .failed) }
            return true
        }
        if alreadyFailed { return false }

        var stepError: (index: Int, message: String)?
        if indices.count == 1, case .command(let c) = plan.changes[indices[0]] {
            let i = indices[0]
            let ci = schedule.slots[i].index
            let description = c.argv.joined(separator: " ") + (c.host == "control" ? "" : " on \(c.host)")
            events(.stepStarted(index: i, total: total, description: description))
            try progress.update { s in
                s.record.commands[ci].status = .started
                try saveJournal(s.record)
            }
            faults.reach(.commandStart, host: c.host)
            let (result, ran) = runWithFallbacks(c, index: i) { events($0) }
            faults.reach(.commandEnd, host: c.host)
            progress.update { s in
                s.record.commands[ci].result = result
                s.record.commands[ci].ranArgv = ran == c.argv ? nil : ran
                if result.succeeded {
                    s.record.commands[ci].status = .done
                } else {
                    // Stopped by Ctrl-C or SIGTERM, it may have done part of its work: outcome unknown.
                    s.record.commands[ci].status = Interruption.requested != nil ? .unknown : .failed
                }
            }
            if !result.succeeded {
                let why =
                    Interruption.requested != nil
                    ? "stopped when bkfix was interrupted"
                    : result.timedOut ? "timed out after \(Int(c.timeout))s" : "exit status \(result.exitCode)"
                let tail = result.stderr.split(separator: "\n").suffix(3).joined(separator: " | ")
                stepError = (i, "\(description): \(why)" + (tail.isEmpty ? "" : ": \(tail)"))
            }
            events(.stepFinished(index: i, ok: result.succeeded, description: description))
            try progress.update { s in try saveJournal(s.record) }
        } else {
            let changes = indices.map { i -> (index: Int, file: FileChange, description: String) in
                guard case .file(let f) = plan.changes[i] else { preconditionFailure("a command in a file batch") }
                return (i, f, "\(f.operation.rawValue) \(f.path) on \(f.host)")
            }
            for c in changes { events(.stepStarted(index: c.index, total: total, description: c.description)) }
            try progress.update { s in
                for c in changes { setStatus(&s.record, schedule.slots[c.index], .started) }
                if !journaled { try saveJournal(s.record) }
            }
            let writes = changes.map { c in
                FileWrite(
                    path: c.file.path, data: c.file.after,
                    meta: c.file.afterMeta ?? c.file.beforeMeta ?? FileMeta(mode: 0o644, uid: 0, gid: 0))
            }
            // One result per write attempted, in order; the reads of the checks when they all went through.
            var results: [Result<Void, any Error>] = []
            var reads: [String: PathInspection]?
            do {
                let t = try hosts.transport(for: host)
                if let batch = t as? any BatchingTransport, schedule.segments[segmentIndex].concurrent {
                    for _ in changes { faults.reach(.beforeFileWrite, host: host) }
                    let wanted = schedule.verifyAt[host] == segmentIndex ? schedule.verifyReads[host] ?? [] : []
                    let outcome = try batch.commit(writes, thenRead: wanted)
                    results = outcome.writes
                    if !wanted.isEmpty { reads = outcome.reads }
                } else {
                    for w in writes {
                        faults.reach(.beforeFileWrite, host: host)
                        let r = Result {
                            if let data = w.data {
                                try t.write(w.path, data: data, meta: w.meta)
                            } else {
                                try t.remove(w.path)
                            }
                        }
                        results.append(r)
                        guard case .success = r else { break }
                    }
                }
            } catch {
                // The round trip itself failed: the first write failed with it, the others were not attempted.
                results = [.failure(error)]
            }
            for case .success in results { faults.reach(.afterFileWrite, host: host) }
            try progress.update { s in
                for (k, c) in changes.enumerated() {
                    let slot = schedule.slots[c.index]
                    guard k < results.count else {
                        // Not attempted: failed with its host (--keep-going), else skipped with the run.
                        setStatus(&s.record, slot, keepGoing ? .failed : .pending)
                        continue
                    }
                    switch results[k] {
                    case .success:
                        setStatus(&s.record, slot, .done)
                        s.contents[RunStore.hostPath(c.file.host, c.file.path)] = .some(c.file.after)
                    case .failure(let error):
                        setStatus(&s.record, slot, .failed)
                        stepError = (c.index, "\(c.description): \(error.localizedDescription)")
                    }
                }
                if let reads { s.verifySnapshots[host] = reads }
                if !journaled { try saveJournal(s.record) }
            }
            for (k, c) in changes.enumerated() where k < results.count {
                var ok = false
                if case .success = results[k] { ok = true }
                events(.stepFinished(index: c.index, ok: ok, description: c.description))
            }
        }
        guard let stepError else { return true }
        progress.update { s in
            if keepGoing { s.failedHosts[host] = stepError.message } else { s.failures.append(stepError) }
        }
        return false
    }

    /// The steps a stopped run never reached: recorded as skipped.
    private static func skipPending(_ record: inout RunRecord) {
        for i in record.files.indices where record.files[i].status == .pending { record.files[i].status = .skipped }
        for i in record.commands.indices where record.commands[i].status == .pending {
            record.commands[i].status = .skipped
        }
    }

    private func setStatus(_ record: inout RunRecord, _ slot: (file: Bool, index: Int), _ status: StepStatus) {
        if slot.file { record.files[slot.index].status = status } else { record.commands[slot.index].status = status }
    }

    /// Reads the files the plan observes (a helm release's history) as they are before the run, for the pre-image
    /// commit; one that cannot be read is noted in the record and left out.
    private func observe(_ observed: [ObservedFile], into record: inout RunRecord) -> [(
        host: String, path: String, live: Data?
    )] {
        guard !observed.isEmpty else { return [] }
        var before: [(host: String, path: String, live: Data?)] = []
        record.observed = []
        for o in observed {
            do {
                let live = try hosts.transport(for: o.host).read(o.path)?.data
                before.append((o.host, o.path, live))
                record.observed?.append(
                    ObservedRecord(host: o.host, path: o.path, beforeSHA256: live.map(SHA256.hex), afterSHA256: nil))
            } catch {
                record.notes.append(
                    "could not record \(o.path) on \(o.host) before the run: \(error.localizedDescription)")
                record.observed?.append(ObservedRecord(host: o.host, path: o.path, beforeSHA256: nil, afterSHA256: nil))
            }
        }
        return before
    }

    /// Writes the journal between its two crash points.
    private func saveJournal(_ record: RunRecord) throws {
        faults.reach(.beforeJournalWrite)
        try Journal(record: record, pid: getpid()).save(in: store.runtimeDir)
        faults.reach(.afterJournalWrite)
    }

    /// What a rollback that did not finish leaves: which effects of the original run are still in place, whether
    /// the files are back, and how to retry.
    static func leftovers(of record: RunRecord, rollbackOf: String) -> String {
        var parts: [String] = []
        for c in record.commands where c.status != .done {
            guard let effect = c.effect else { continue }
            parts.append("\(effect), and it is not restored: `\(c.argv.joined(separator: " "))` \(c.outcome)")
        }
        let files = record.files.filter { $0.status != .done }
        if !record.files.isEmpty {
            parts.append(
                files.isEmpty
                    ? "the files are back to their content from before run \(rollbackOf)"
                    : "not restored yet: " + files.map { "\($0.path) on \($0.host)" }.joined(separator: ", "))
        }
        parts.append("fix the cause, then retry: bkfix rollback \(rollbackOf) --retry")
        return parts.joined(separator: "; ")
    }

    private func runWithFallbacks(
        _ c: CommandChange, index: Int, events: @escaping @Sendable (ApplyEvent) -> Void
    ) -> (CommandResult, [String]) {
        let start = Date()
        var last = CommandResult(argv: c.argv, exitCode: -1, stdout: "", stderr: "", duration: 0, timedOut: false)
        for argv in [c.argv] + c.fallbacks {
            do {
                let t = try hosts.transport(for: c.host)
                last = try t.run(CommandSpec(argv: argv, workdir: c.workdir, timeout: c.timeout)) { line in
                    events(.output(index: index, line: line, elapsed: Date().timeIntervalSince(start)))
                }
            } catch {
                last = CommandResult(
                    argv: argv, exitCode: 127, stdout: "", stderr: error.localizedDescription,
                    duration: Date().timeIntervalSince(start), timedOut: false)
            }
            if last.succeeded { return (last, argv) }
        }
        return (last, last.argv)
    }

    /// Runs the playbook's checks against the real hosts; a node in `snapshots` answers the paths read right after
    /// its last write from that read.
    public func verify(
        _ checks: [PlannedCheck], snapshots: [String: [String: PathInspection]] = [:],
        events: @escaping @Sendable (ApplyEvent) -> Void = { _ in }
    ) -> [VerifyResult] {
        checks.map { check in
            let result: VerifyResult
            do {
                guard let kind = StepRegistry.check(named: check.kind) else { throw StepError.unknownKind(check.kind) }
                var t = try hosts.transport(for: check.host)
                if let snapshot = snapshots[check.host] { t = PrefetchedTransport(base: t, snapshot: snapshot) }
                var context = PlanContext(
                    host: check.host, transport: t, control: hosts.control, installDir: installDir, language: language,
                    environment: environment)
                context.hostView = { [hosts] in try hosts.transport(for: $0) }
                result = try kind.check(StepArgs(kind: check.kind, values: check.args), in: context)
            } catch {
                result = VerifyResult(
                    check: check.kind, host: check.host, ok: false, detail: error.localizedDescription)
            }
            events(.verify(result))
            return result
        }
    }
}
