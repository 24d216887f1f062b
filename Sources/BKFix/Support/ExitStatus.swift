import Foundation

/// bkfix's exit codes, documented in the README.
public enum ExitStatus: Int32, Sendable {
    case ok = 0
    /// A step failed, or an unexpected error.
    case failure = 1
    /// Bad usage or bad input: unknown playbook, bad parameter, invalid file.
    case badInput = 2
    /// Refused: not confirmed, stale plan, changed since the run, already rolled back.
    case refused = 3
    /// Another bkfix holds the state lock.
    case locked = 4
    /// Applied, but a verify check failed.
    case verifyFailed = 5
    /// Stopped by Ctrl-C or SIGTERM; the run is recorded as `interrupted`.
    case interrupted = 130

    /// The exit status and a stable error code for an error.
    public static func classify(_ error: Error) -> (ExitStatus, String) {
        switch error {
        case is LockError: return (.locked, "locked")
        case let e as EngineError:
            switch e {
            case .stalePlan: return (.refused, "stale-plan")
            case .needsConfirmation, .confirmationDeclined: return (.refused, "not-confirmed")
            case .alreadyRolledBack: return (.refused, "already-rolled-back")
            case .changedSinceRun: return (.refused, "changed-since-run")
            case .notRollbackable, .nothingToRollBack: return (.refused, "not-rollbackable")
            case .interruptedRunPending: return (.refused, "interrupted-run-pending")
            case .unknownRun, .noRuns: return (.badInput, "unknown-run")
            case .ambiguousRun: return (.badInput, "ambiguous-run")
            case .unreadablePlan: return (.badInput, "bad-plan")
            case .writeDuringPlan: return (.failure, "internal")
            }
        case let e as PlaybookError:
            switch e {
            case .unknownPlaybook: return (.badInput, "unknown-playbook")
            case .invalid: return (.badInput, "invalid-playbook")
            default: return (.badInput, "bad-parameter")
            }
        case is StepError: return (.badInput, "cannot-plan")
        case is HostsFileError: return (.badInput, "bad-hosts-file")
        case let e as DiagnoseError:
            switch e {
            case .unreadable: return (.badInput, "unreadable-input")
            case .noInput: return (.badInput, "no-input")
            case .unknownCase: return (.badInput, "unknown-case")
            case .noFixableFinding: return (.badInput, "no-fixable-finding")
            }
        case let e as YAMLSpliceError:
            if case .verificationFailed = e { return (.failure, "internal") }
            return (.badInput, "bad-values-file")
        case let e as JSONSpliceError:
            if case .badValue = e { return (.badInput, "bad-parameter") }
            return (.badInput, "bad-json-file")
        case let e as TransportError:
            switch e {
            case .isDirectory, .notAFile: return (.badInput, "not-a-file")
            case .outsideRoot, .symlinkOutsideRoot: return (.badInput, "outside-root")
            default: return (.failure, "io")
            }
        case is InventoryError: return (.badInput, "bad-inventory")
        case let e as SSHTransportError:
            if case .unreachable = e { return (.failure, "unreachable") }
            return (.failure, "io")
        case let e as StateRepoError:
            if case .unrecordablePath = e { return (.badInput, "unrecordable-path") }
            return (.failure, "state-repo")
        default: return (.failure, "error")
        }
    }
}
