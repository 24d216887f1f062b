import Foundation

/// Why a node could not be used over SSH; carries the node's name and OpenSSH's own message.
public enum SSHTransportError: LocalizedError, Equatable {
    /// ssh could not connect or log in (exit status 255 with an ssh message).
    case unreachable(node: String, destination: String, message: String)
    /// A file operation's helper on the node failed in an unexpected way.
    case remoteFailure(node: String, path: String, operation: String, message: String)
    /// ssh did not finish in time.
    case timedOut(node: String, operation: String, seconds: Int)

    public var errorDescription: String? {
        switch self {
        case .unreachable(let node, let destination, let message):
            return "node \(node) (\(destination)) cannot be reached over SSH: \(message)"
        case .remoteFailure(let node, let path, let operation, let message):
            return "cannot \(operation) \(path) on node \(node): \(message)"
        case .timedOut(let node, let operation, let seconds):
            return "node \(node): \(operation) over SSH did not finish within \(seconds)s"
        }
    }
}

extension SSHTransportError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .unreachable, .remoteFailure, .timedOut: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .unreachable: return "unreachable"
        case .remoteFailure, .timedOut: return "io"
        }
    }
}
