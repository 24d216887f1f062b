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

    /// The exit status and the stable JSON error code for an error: its own when it is one of bkfix's errors (they
    /// all are); an error from outside (Foundation, say) is an unexpected failure.
    public static func classify(_ error: Error) -> (ExitStatus, String) {
        if let own = error as? ExitCodedError { return (own.exitStatus, own.jsonCode) }
        return (.failure, "error")
    }
}

/// An error that says itself how bkfix exits on it and which stable code `--json` reports (like tuist's
/// `FatalError`): every error type of bkfix conforms, with a switch over all its cases and no default, so a new
/// case cannot fall into a generic exit status.
public protocol ExitCodedError: LocalizedError {
    /// The process exit status when this error ends a command.
    var exitStatus: ExitStatus { get }
    /// The `code` of `{"error": {"code", "message"}}` in `--json` output.
    var jsonCode: String { get }
}

// AtomicFile's error lives with the atomic writer (which moves to Support); its exit code is stated here so the
// move does not touch it.
extension AtomicFileError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .cannotWrite: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .cannotWrite: return "io"
        }
    }
}
