import Foundation

/// Why a cluster object could not be read or changed as a file.
public enum ClusterTransportError: LocalizedError, Equatable {
    /// Not a `/<namespace>/<kind>/<name>.yaml` or `/helm/<namespace>/<release>/{history,status}.yaml` path.
    case badPath(String)
    /// Creating, deleting or writing helm's answers is not something a file change on a cluster does.
    case unsupported(host: String, path: String, operation: String)
    /// The object changed between the check of the plan and the patch (someone edited it meanwhile).
    case changedWhileApplying(host: String, path: String)
    /// The API server refused the patch: its resourceVersion precondition failed.
    case conflict(host: String, path: String, stderr: String)
    /// The object to patch is gone.
    case gone(host: String, path: String)
    /// Secrets would be copied in clear into the state repo.
    case secretRefused(kind: String)
    /// kubectl or helm failed: the argv, its exit status and what it printed on stderr.
    case failed(argv: [String], exitCode: Int32, stderr: String)
    case timedOut(argv: [String], seconds: Double)

    public var errorDescription: String? {
        switch self {
        case .badPath(let path):
            return "\(path) is not a cluster object path (/NAMESPACE/KIND/NAME.yaml) nor a helm record "
                + "(/helm/NAMESPACE/RELEASE/history.yaml or status.yaml)"
        case .unsupported(let host, let path, let operation):
            return "cannot \(operation) \(path) on \(host): bkfix only patches existing cluster objects"
        case .changedWhileApplying(let host, let path):
            return "\(path) on \(host) changed while bkfix was applying (someone edited the object); nothing was "
                + "patched; make a new plan"
        case .conflict(let host, let path, let stderr):
            return "the API server refused the patch of \(path) on \(host) because the object changed since bkfix "
                + "read it (\(stderr.trimmingCharacters(in: .whitespacesAndNewlines))); make a new plan"
        case .gone(let host, let path):
            return "\(path) on \(host) no longer exists; nothing was patched"
        case .secretRefused(let kind):
            return "bkfix does not manage \(kind) objects: their data would be copied in clear into the state repo"
        case .failed(let argv, let code, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(argv.joined(separator: " ")) exited with status \(code)" + (detail.isEmpty ? "" : ": \(detail)")
        case .timedOut(let argv, let seconds):
            return "\(argv.joined(separator: " ")) did not finish within \(Int(seconds)) s; check that the cluster is "
                + "reachable"
        }
    }
}

extension ClusterTransportError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .badPath, .secretRefused: return .badInput
        case .unsupported, .gone, .failed, .timedOut: return .failure
        case .changedWhileApplying, .conflict: return .refused
        }
    }

    public var jsonCode: String {
        switch self {
        case .badPath, .secretRefused, .unsupported: return "cannot-plan"
        case .gone, .failed, .timedOut: return "kubectl"
        case .changedWhileApplying, .conflict: return "stale-plan"
        }
    }
}
