import Foundation

/// Why a node could not be used over SSH; carries the node's name and OpenSSH's own message.
public enum SSHTransportError: LocalizedError, Equatable {
    /// ssh could not connect or log in (exit status 255 with an ssh message).
    case unreachable(node: String, destination: String, message: String)
    /// A file operation's helper on the node failed in an unexpected way.
    case remoteFailure(node: String, path: String, operation: String, message: String)
    /// ssh did not finish in time.
    case timedOut(node: String, operation: String, seconds: Int)
    /// The control socket folder is not bkfix's own (owner, mode, symlink) or cannot be used; nothing was sent.
    case controlDirectoryUnusable(node: String, path: String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .unreachable(let node, let destination, let message):
            return "node \(node) (\(destination)) cannot be reached over SSH: \(message)"
        case .remoteFailure(let node, let path, let operation, let message):
            return "cannot \(operation) \(path) on node \(node): \(message)"
        case .timedOut(let node, let operation, let seconds):
            return "node \(node): \(operation) over SSH did not finish within \(seconds)s"
        case .controlDirectoryUnusable(let node, let path, let reason):
            return "node \(node): refusing to keep SSH control sockets in \(path): \(reason); nothing was sent"
        }
    }
}

extension SSHTransportError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .unreachable, .remoteFailure, .timedOut: return .failure
        // Nothing was sent: bkfix refused to use a folder another user could reach.
        case .controlDirectoryUnusable: return .refused
        }
    }

    public var jsonCode: String {
        switch self {
        case .unreachable: return "unreachable"
        case .remoteFailure, .timedOut: return "io"
        case .controlDirectoryUnusable: return "unsafe-control-dir"
        }
    }
}
