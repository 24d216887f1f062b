import Foundation

/// Errors of planning, applying and rolling back; each message says what to do next.
public enum EngineError: LocalizedError, Equatable {
    case writeDuringPlan(path: String)
    case stalePlan(host: String, path: String)
    case needsConfirmation(hint: String)
    case confirmationDeclined
    case unknownRun(id: String)
    case ambiguousRun(id: String, matches: [String])
    case alreadyRolledBack(id: String, by: String)
    case nothingToRollBack(id: String)
    case changedSinceRun(host: String, path: String, runID: String)
    case notRollbackable(id: String, reason: String)
    case unreadablePlan(path: String, reason: String)
    case noRuns(filter: String)
    case interruptedRunPending(id: String)

    public var errorDescription: String? {
        switch self {
        case .writeDuringPlan(let path):
            return "internal error: a step tried to write \(path) while planning (dry run never writes)"
        case .stalePlan(let host, let path):
            return "stale plan: \(path) on \(host) changed since the plan was made; make a new plan"
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
        case .unreadablePlan(let path, let reason):
            return "cannot use plan \(path): \(reason)"
        case .noRuns(let filter):
            return "no run matches \(filter)"
        case .interruptedRunPending(let id):
            return "run \(id) was interrupted and is not recorded yet: run `bkfix recover` first"
        }
    }
}
