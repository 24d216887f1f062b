import Foundation

/// Errors of planning, applying and rolling back; each message says what to do next.
public enum EngineError: LocalizedError, Equatable {
    case writeDuringPlan(path: String)
    case stalePlan(host: String, path: String)
    /// A saved plan decided something from a command's output, and that command now answers so that the plan
    /// would be different (or could not be made).
    case staleDecision(host: String, command: String, reason: String)
    case needsConfirmation(hint: String)
    case confirmationDeclined
    case unknownRun(id: String)
    case ambiguousRun(id: String, matches: [String])
    case alreadyRolledBack(id: String, by: String)
    case nothingToRollBack(id: String)
    case changedSinceRun(host: String, path: String, runID: String)
    case notRollbackable(id: String, reason: String)
    /// `rollback --retry` of a run whose rollback did not fail (or that was never rolled back).
    case nothingToRetry(id: String)
    /// The pre-image the run recorded is not where its record says.
    case missingPreImage(id: String, host: String, path: String)
    case unreadablePlan(path: String, reason: String)
    case noRuns(filter: String)
    case interruptedRunPending(id: String)
    /// `--forks` below 1: no node could ever run.
    case badForks(given: Int)

    public var errorDescription: String? {
        switch self {
        case .writeDuringPlan(let path):
            return "internal error: a step tried to write \(path) while planning (dry run never writes)"
        case .stalePlan(let host, let path):
            return "stale plan: \(path) on \(host) changed since the plan was made; make a new plan"
        case .staleDecision(let host, let command, let reason):
            return "stale plan: `\(command)` on \(host) answers differently since the plan was made, and the plan "
                + "depended on it (\(reason)); make a new plan"
        case .needsConfirmation(let hint):
            return "not confirmed: \(hint)"
        case .confirmationDeclined:
            return "not confirmed: nothing was changed"
        case .unknownRun(let id):
            return "no run '\(id)' in the state repo; `bkfix history` lists runs"
        case .ambiguousRun(let id, let matches):
            return "'\(id)' matches \(matches.count) runs (\(matches.prefix(5).joined(separator: ", "))"
                + (matches.count > 5 ? ", ..." : "") + "); give more of the run id"
        case .alreadyRolledBack(let id, let by):
            return "run \(id) was already rolled back by run \(by)"
        case .nothingToRollBack(let id):
            return "run \(id) changed nothing that can be undone"
        case .changedSinceRun(let host, let path, let id):
            return "\(path) on \(host) changed after run \(id); see the three versions above, or pass --force"
        case .notRollbackable(let id, let reason):
            return "run \(id) cannot be rolled back: \(reason)"
        case .nothingToRetry(let id):
            return "run \(id) has no failed or interrupted rollback to retry; `bkfix rollback \(id)` rolls it back"
        case .missingPreImage(let id, let host, let path):
            return "the state repo does not hold the content of \(path) on \(host) from before run \(id) "
                + "(its base commit is missing or was rewritten); restore it by hand from `git log -p`"
        case .unreadablePlan(let path, let reason):
            return "cannot use plan \(path): \(reason)"
        case .noRuns(let filter):
            return "no run matches \(filter)"
        case .interruptedRunPending(let id):
            return "run \(id) was interrupted and is not recorded yet: run `bkfix recover` first "
                + "(`bkfix recover --undo` also undoes it)"
        case .badForks(let given):
            return "--forks \(given): must be at least 1 (how many nodes plan and apply at once)"
        }
    }
}

extension EngineError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .stalePlan, .staleDecision, .needsConfirmation, .confirmationDeclined, .alreadyRolledBack,
            .changedSinceRun, .notRollbackable, .nothingToRollBack, .nothingToRetry, .interruptedRunPending:
            return .refused
        case .unknownRun, .noRuns, .ambiguousRun, .unreadablePlan, .badForks: return .badInput
        case .writeDuringPlan, .missingPreImage: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .stalePlan, .staleDecision: return "stale-plan"
        case .needsConfirmation, .confirmationDeclined: return "not-confirmed"
        case .alreadyRolledBack: return "already-rolled-back"
        case .changedSinceRun: return "changed-since-run"
        case .notRollbackable, .nothingToRollBack: return "not-rollbackable"
        case .nothingToRetry: return "nothing-to-retry"
        case .interruptedRunPending: return "interrupted-run-pending"
        case .unknownRun, .noRuns: return "unknown-run"
        case .ambiguousRun: return "ambiguous-run"
        case .unreadablePlan: return "bad-plan"
        case .badForks: return "bad-option"
        case .writeDuringPlan: return "internal"
        case .missingPreImage: return "state-repo"
        }
    }
}
