import Foundation

/// What a path on a cluster pseudo-host (`cluster:<context>`) names: a Kubernetes object
/// (`/<namespace>/<kind>/<name>.yaml`), or a helm release's answers (`/helm/<namespace>/<release>/history.yaml`,
/// `.../status.yaml`), which bkfix records but never writes.
public enum ClusterPath: Sendable, Equatable {
    case object(namespace: String, kind: String, name: String)
    case helmHistory(namespace: String, release: String)
    case helmStatus(namespace: String, release: String)

    /// The pseudo-host of a kubectl context.
    public static func host(context: String) -> String { hostPrefix + context }

    /// The context a pseudo-host stands for, or nil for a real host.
    public static func context(ofHost host: String) -> String? {
        guard host.hasPrefix(hostPrefix), host.count > hostPrefix.count else { return nil }
        return String(host.dropFirst(hostPrefix.count))
    }

    static let hostPrefix = "cluster:"

    /// The state-repo folder of a pseudo-host, `cluster/<context>` (a `/` or `%` in the context name is
    /// percent-encoded, so a context such as an EKS ARN stays one folder).
    public static func repoFolder(ofHost host: String) -> String? {
        guard let context = context(ofHost: host) else { return nil }
        var escaped = ""
        for scalar in context.unicodeScalars {
            if scalar == "/" || scalar == "%" || scalar.value < 0x20 || scalar.value == 0x7F {
                escaped += String(format: "%%%02X", scalar.value)
            } else {
                escaped.unicodeScalars.append(scalar)
            }
        }
        if escaped == "." || escaped == ".." { escaped = escaped.replacingOccurrences(of: ".", with: "%2E") }
        return "cluster/" + escaped
    }

    /// The pseudo-host of a `cluster/<folder>` of the state repo (the inverse of `repoFolder`).
    public static func host(repoFolder folder: String) -> String {
        host(context: folder.removingPercentEncoding ?? folder)
    }

    /// Parses a host path on a cluster pseudo-host.
    public init(_ path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 4, parts[0].isEmpty, parts.dropFirst().allSatisfy(Self.isName) else {
            throw ClusterTransportError.badPath(path)
        }
        if parts.count == 5, parts[1] == "helm" {
            switch parts[4] {
            case "history.yaml": self = .helmHistory(namespace: parts[2], release: parts[3])
            case "status.yaml": self = .helmStatus(namespace: parts[2], release: parts[3])
            default: throw ClusterTransportError.badPath(path)
            }
            return
        }
        guard parts.count == 4, parts[3].hasSuffix(".yaml"), parts[3].count > 5 else {
            throw ClusterTransportError.badPath(path)
        }
        self = .object(namespace: parts[1], kind: parts[2].lowercased(), name: String(parts[3].dropLast(5)))
    }

    /// The host path (`/ingress-nginx/configmap/ingress-nginx-controller.yaml`).
    public var path: String {
        switch self {
        case .object(let namespace, let kind, let name): return "/\(namespace)/\(kind)/\(name).yaml"
        case .helmHistory(let namespace, let release): return "/helm/\(namespace)/\(release)/history.yaml"
        case .helmStatus(let namespace, let release): return "/helm/\(namespace)/\(release)/status.yaml"
        }
    }

    /// True for helm's answers: recorded before and after a run, never written, never drift.
    public var isObservation: Bool {
        if case .object = self { return false }
        return true
    }

    /// A Kubernetes name, namespace or resource kind: lowercase letters, digits, `-` and `.` (never `.` or `..`).
    static func isName(_ s: String) -> Bool {
        !s.isEmpty && s != "." && s != ".." && s.count <= 253
            && s.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "." || $0 == "_"
            }
    }
}
