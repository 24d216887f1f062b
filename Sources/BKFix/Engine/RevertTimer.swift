import Foundation

/// What `apply --revert-after` asks for, and how to run bkfix again later: the engine builds the timer's command
/// line from it (`<bkfix> rollback RUN --yes --if-unconfirmed <global options>`), so the scheduled rollback acts on
/// the same state repo, root, install dir and playbooks as the apply.
public struct RevertRequest: Sendable, Equatable {
    public enum When: Sendable, Equatable {
        /// The playbook's proposal (`revert-after: 2h`), if it has one.
        case playbookDefault
        /// `--revert-after none`: keep the change.
        case never
        case after(TimeSpan)
    }

    public var when: When
    /// The absolute path of the running bkfix binary.
    public var bkfix: String
    /// The global options to repeat (`--state DIR --root DIR ...`), absolute paths only.
    public var globalArguments: [String]

    public init(when: When, bkfix: String, globalArguments: [String]) {
        self.when = when
        self.bkfix = bkfix
        self.globalArguments = globalArguments
    }

    /// The delay this request means for a plan, or nil when nothing is to be scheduled.
    func delay(for plan: Plan) -> TimeSpan? {
        switch when {
        case .never: return nil
        case .after(let span): return span
        case .playbookDefault: return plan.revertAfter.flatMap { TimeSpan($0) }
        }
    }
}

/// systemd timers for temporary fixes: `systemd-run --on-active` to schedule, `systemctl stop UNIT.timer` to cancel.
/// Commands run on the control machine; systemd must be running there (`/run/systemd/system`, under `--root`).
struct RevertTimer {
    let control: any Transport
    let environment: [String: String]

    static func unit(for run: String) -> String { "bkfix-revert-\(run)" }

    /// Throws `RevertError.noSystemd` when there is no systemd to hold the timer.
    func checkAvailable() throws {
        let path = environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let found = path.split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: ($0 as NSString).appendingPathComponent("systemd-run"))
        }
        guard found else { throw RevertError.noSystemd(reason: "systemd-run is not on PATH") }
        guard case .directory = try control.kind(of: "/run/systemd/system") else {
            throw RevertError.noSystemd(reason: "systemd is not running (/run/systemd/system is absent)")
        }
    }

    /// The `systemd-run` argv that runs `command` once, `delay` from now, as unit `unit`. The environment the
    /// rollback needs (PATH for kubectl/helm/helmfile, HOME, KUBECONFIG, the language) goes with it: a transient
    /// service starts with systemd's own.
    func scheduleArgv(unit: String, delay: TimeSpan, command: [String]) -> [String] {
        var argv = [
            "systemd-run", "--unit=\(unit)", "--on-active=\(delay.seconds)s", "--timer-property=AccuracySec=1s",
            "--description=bkfix: revert run \(unit.dropFirst("bkfix-revert-".count)) unless confirmed",
        ]
        for key in ["PATH", "HOME", "KUBECONFIG", "LANG", "LC_ALL", "BKFIX_INVENTORY"] {
            if let value = environment[key], !value.isEmpty { argv.append("--setenv=\(key)=\(value)") }
        }
        return argv + command
    }

    func run(_ argv: [String]) -> CommandResult {
        do {
            return try control.run(CommandSpec(argv: argv, timeout: 60), output: nil)
        } catch {
            return CommandResult(
                argv: argv, exitCode: 127, stdout: "", stderr: error.localizedDescription, duration: 0, timedOut: false)
        }
    }

    /// Stops the timer; what systemctl said, for the record (a timer that already fired or vanished is not an error
    /// here: the schedule's state is what counts).
    func cancel(unit: String) -> String {
        let result = run(["systemctl", "stop", "\(unit).timer"])
        if result.succeeded { return "timer \(unit).timer stopped" }
        let why = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        return "systemctl stop \(unit).timer: exit status \(result.exitCode)" + (why.isEmpty ? "" : " (\(why))")
    }
}

/// Why a temporary fix could not be scheduled, confirmed or reverted.
public enum RevertError: LocalizedError, Equatable {
    case noSystemd(reason: String)
    /// The plan has steps a rollback cannot undo.
    case notRevertible(commands: [String])
    case notTemporary(id: String)
    case alreadyConfirmed(id: String, by: String, at: Date)
    case alreadyReverted(id: String, by: String)

    public var errorDescription: String? {
        switch self {
        case .noSystemd(let reason):
            return "--revert-after needs systemd to schedule the rollback, and \(reason); nothing was changed. "
                + "Apply with --revert-after none and roll it back by hand (bkfix rollback RUN) when you are done"
        case .notRevertible(let commands):
            return "--revert-after cannot revert this plan: \(commands.joined(separator: "; ")) cannot be undone; "
                + "nothing was changed"
        case .notTemporary(let id):
            return "run \(id) was not applied with --revert-after: there is no revert to confirm"
        case .alreadyConfirmed(let id, let by, let at):
            return "run \(id) was already confirmed by \(by) at \(ISO8601DateFormatter().string(from: at))"
        case .alreadyReverted(let id, let by):
            return "run \(id) was already reverted by run \(by): apply the playbook again to redo the fix"
        }
    }
}

extension RevertError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .noSystemd, .notRevertible, .notTemporary: return .badInput
        case .alreadyConfirmed, .alreadyReverted: return .refused
        }
    }

    public var jsonCode: String {
        switch self {
        case .noSystemd: return "no-systemd"
        case .notRevertible: return "not-revertible"
        case .notTemporary: return "not-temporary"
        case .alreadyConfirmed: return "already-confirmed"
        case .alreadyReverted: return "already-rolled-back"
        }
    }
}
