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

    /// Refuses when any file the plan read has changed since (a stale plan), naming the file.
    public func checkPins(_ plan: Plan) throws {
        for pin in plan.pins {
            let live = try hosts.transport(for: pin.host).read(pin.path)
            if live.map({ SHA256.hex($0.data) }) != pin.sha256 {
                throw EngineError.stalePlan(host: pin.host, path: pin.path)
            }
        }
    }

    func apply(
        _ plan: Plan, kind: RunKind = .apply, rollbackOf: String? = nil, origin: RunOrigin, notes: [String] = [],
        events: @escaping @Sendable (ApplyEvent) -> Void = { _ in }
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
        try checkPins(plan)
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
        try saveJournal(record)
        do {
            faults.reach(.beforeCommit)
            record.baseCommit = try store.recordPreImages(plan.fileChanges.map { ($0.host, $0.path, $0.before) })
            faults.reach(.afterCommit)
            try saveJournal(record)
        } catch {
            // Nothing was written yet: the run did not start, and no journal may say it did.
            Journal.remove(in: runtime, id: record.id)
            throw error
        }

        var contents: [String: Data?] = [:]
        var fileIndex = 0
        var commandIndex = 0
        // Hosts that failed (or could not be reached while planning) and why; only with --keep-going or such a plan.
        var failedHosts = plan.unreachableHosts ?? [:]
        for (i, change) in plan.changes.enumerated() {
            if failedHosts[change.host] != nil {
                switch change {
                case .file:
                    record.files[fileIndex].status = .failed
                    fileIndex += 1
                case .command:
                    record.commands[commandIndex].status = .failed
                    commandIndex += 1
                }
                continue
            }
            var stepError: String?
            switch change {
            case .file(let f):
                let fi = fileIndex
                fileIndex += 1
                let description = "\(f.operation.rawValue) \(f.path) on \(f.host)"
                events(.stepStarted(index: i, total: plan.changes.count, description: description))
                record.files[fi].status = .started
                try saveJournal(record)
                do {
                    let t = try hosts.transport(for: f.host)
                    faults.reach(.beforeFileWrite, host: f.host)
                    if let after = f.after {
                        try t.write(
                            f.path, data: after,
                            meta: f.afterMeta ?? f.beforeMeta ?? FileMeta(mode: 0o644, uid: 0, gid: 0))
                    } else {
                        try t.remove(f.path)
                    }
                    faults.reach(.afterFileWrite, host: f.host)
                    record.files[fi].status = .done
                    contents[RunStore.hostPath(f.host, f.path)] = .some(f.after)
                    events(.stepFinished(index: i, ok: true, description: description))
                } catch {
                    record.files[fi].status = .failed
                    stepError = "\(description): \(error.localizedDescription)"
                    events(.stepFinished(index: i, ok: false, description: description))
                }
            case .command(let c):
                let ci = commandIndex
                commandIndex += 1
                let description = c.argv.joined(separator: " ") + (c.host == "control" ? "" : " on \(c.host)")
                events(.stepStarted(index: i, total: plan.changes.count, description: description))
                record.commands[ci].status = .started
                try saveJournal(record)
                faults.reach(.commandStart, host: c.host)
                let (result, ran) = runWithFallbacks(c, index: i, events: events)
                faults.reach(.commandEnd, host: c.host)
                record.commands[ci].result = result
                record.commands[ci].ranArgv = ran == c.argv ? nil : ran
                if result.succeeded {
                    record.commands[ci].status = .done
                } else {
                    // Stopped by Ctrl-C or SIGTERM, it may have done part of its work: outcome unknown.
                    record.commands[ci].status = Interruption.requested != nil ? .unknown : .failed
                    let why =
                        Interruption.requested != nil
                        ? "stopped when bkfix was interrupted"
                        : result.timedOut ? "timed out after \(Int(c.timeout))s" : "exit status \(result.exitCode)"
                    let tail = result.stderr.split(separator: "\n").suffix(3).joined(separator: " | ")
                    stepError = "\(description): \(why)" + (tail.isEmpty ? "" : ": \(tail)")
                }
                events(.stepFinished(index: i, ok: result.succeeded, description: description))
            }
            if let stepError {
                if keepGoing { failedHosts[change.host] = stepError } else { record.error = stepError }
            }
            if let sig = Interruption.requested {
                record.error = (record.error.map { $0 + "; " } ?? "") + "interrupted by signal \(sig)"
                break
            }
            if record.error != nil { break }
            try saveJournal(record)
        }

        if !failedHosts.isEmpty {
            record.hostErrors = failedHosts
            let perHost = failedHosts.keys.sorted().map { "\($0): \(failedHosts[$0]!)" }
            record.error = ([record.error].compactMap { $0 } + perHost).joined(separator: "; ")
        }
        if Interruption.requested != nil {
            record.status = .interrupted
            for i in record.files.indices where record.files[i].status == .pending { record.files[i].status = .skipped }
            for i in record.commands.indices where record.commands[i].status == .pending {
                record.commands[i].status = .skipped
            }
        } else if record.error == nil {
            record.verify = verify(plan.verify, events: events)
            record.status = record.verify.allSatisfy(\.ok) ? .applied : .verifyFailed
        } else if keepGoing && failedHosts.count < plan.hosts.count {
            // The hosts that went through are still checked; the run stays failed for the others.
            record.verify = verify(plan.verify.filter { failedHosts[$0.host] == nil }, events: events)
            record.status = .failed
        } else {
            record.status = .failed
            for i in record.files.indices where record.files[i].status == .pending { record.files[i].status = .skipped }
            for i in record.commands.indices where record.commands[i].status == .pending {
                record.commands[i].status = .skipped
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

    /// Runs the playbook's checks against the real hosts.
    public func verify(_ checks: [PlannedCheck], events: @escaping @Sendable (ApplyEvent) -> Void = { _ in })
        -> [VerifyResult]
    {
        checks.map { check in
            let result: VerifyResult
            do {
                guard let kind = StepRegistry.check(named: check.kind) else { throw StepError.unknownKind(check.kind) }
                let t = try hosts.transport(for: check.host)
                let context = PlanContext(
                    host: check.host, transport: t, control: hosts.control, installDir: installDir, language: language,
                    environment: environment)
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
