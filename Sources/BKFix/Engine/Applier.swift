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

/// Executes a plan exactly: checks the pins, records pre-images in git, journals every step, writes atomically,
/// runs commands, verifies, and commits the run. The first failing step stops the run (recorded as `failed`).
public struct Applier: Sendable {
    public var store: RunStore
    public var hosts: HostDirectory
    public var installDir: String?
    public var language: Language
    public var environment: [String: String]
    /// When one host fails, its remaining steps are recorded as failed and the other hosts' steps still run.
    public var keepGoing = false

    public init(
        store: RunStore, hosts: HostDirectory, installDir: String?, language: Language, environment: [String: String]
    ) {
        self.store = store
        self.hosts = hosts
        self.installDir = installDir
        self.language = language
        self.environment = environment
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

    public func apply(
        _ plan: Plan, kind: RunKind = .apply, rollbackOf: String? = nil, origin: RunOrigin,
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
            commands: [], order: [], verify: [], notes: plan.notes,
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
                        summary: c.summary, status: .pending, result: nil, ranArgv: nil))
            }
        }

        // Pre-images go into git before anything is written; then the journal says what is about to happen.
        record.baseCommit = try store.recordPreImages(plan.fileChanges.map { ($0.host, $0.path, $0.before) })
        let runtime = store.runtimeDir
        try Journal(record: record, pid: getpid()).save(in: runtime)

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
                try Journal(record: record, pid: getpid()).save(in: runtime)
                do {
                    let t = try hosts.transport(for: f.host)
                    if let after = f.after {
                        try t.write(
                            f.path, data: after,
                            meta: f.afterMeta ?? f.beforeMeta ?? FileMeta(mode: 0o644, uid: 0, gid: 0))
                    } else {
                        try t.remove(f.path)
                    }
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
                try Journal(record: record, pid: getpid()).save(in: runtime)
                let (result, ran) = runWithFallbacks(c, index: i, events: events)
                record.commands[ci].result = result
                record.commands[ci].ranArgv = ran == c.argv ? nil : ran
                if result.succeeded {
                    record.commands[ci].status = .done
                } else {
                    record.commands[ci].status = .failed
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
            try Journal(record: record, pid: getpid()).save(in: runtime)
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
        record.finished = Date()
        try store.commitRun(record, contents: contents)
        Journal.remove(in: runtime, id: record.id)
        return record
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
