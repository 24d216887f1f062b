import Foundation
import Synchronization

/// A Kubernetes cluster seen as a host (`cluster:<context>`), so the engine's guarantees for files — pre-images in
/// git, pins, drift, three-version conflicts, rollback, recover — hold for cluster objects too.
///
/// Reading `/<namespace>/<kind>/<name>.yaml` runs `kubectl get -o json` and gives the object as canonical YAML
/// without the fields the server manages (`status`, `metadata.resourceVersion`, `uid`, `managedFields` ...).
/// Writing it patches only the fields that differ (`kubectl patch --type merge`), with the live resourceVersion in
/// the patch so the API server refuses it if the object changed meanwhile; a write is refused outright when the
/// object changed since this transport last read it (the applier reads every file when it checks the plan). helm's
/// answers for a release (`/helm/<namespace>/<release>/history.yaml`, `status.yaml`) read the same way and are never
/// written. Every command runs on the control machine with `--context`/`--kube-context`, so a rollback acts on the
/// cluster the run changed whatever the current context is then.
public final class ClusterTransport: Transport, @unchecked Sendable {
    public let host: String
    public let context: String
    let control: any Transport
    let timeout: Double
    /// sha256 of the canonical content of each object as last read, so a write can refuse an object edited since.
    private let seen = Mutex<[String: String]>([:])

    /// Metadata every cluster "file" has (it has no owner or mode; a constant keeps the engine's metadata checks quiet).
    public static let meta = FileMeta(mode: 0o644, uid: 0, gid: 0)

    /// `metadata` fields the API server sets; never recorded, never patched.
    public static let serverManagedMetadata: Set<String> = [
        "resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink",
        "deletionTimestamp", "deletionGracePeriodSeconds",
    ]

    public init(context: String, control: any Transport, timeout: Double = 120) {
        self.host = ClusterPath.host(context: context)
        self.context = context
        self.control = control
        self.timeout = timeout
    }

    /// kubectl on a context: the argv every cluster command of bkfix has.
    public static func kubectl(context: String, _ arguments: [String]) -> [String] {
        ["kubectl", "--context", context] + arguments
    }

    /// helm on a context.
    public static func helm(context: String, _ arguments: [String]) -> [String] {
        ["helm", "--kube-context", context] + arguments
    }

    func kubectl(_ arguments: [String]) -> [String] { Self.kubectl(context: context, arguments) }
    func helm(_ arguments: [String]) -> [String] { Self.helm(context: context, arguments) }

    public func kind(of path: String) throws -> PathKind? { try read(path) == nil ? nil : .file }

    public func read(_ path: String) throws -> FileSnapshot? {
        let value: KubeValue?
        switch try ClusterPath(path) {
        case .object(let namespace, let kind, let name):
            value = try object(namespace: namespace, kind: kind, name: name).map(Self.managedFields)
        case .helmHistory(let namespace, let release):
            value = try query(helm(["history", "-n", namespace, release, "-o", "json"]), missing: "release: not found")
        case .helmStatus(let namespace, let release):
            value = try query(helm(["status", "-n", namespace, release, "-o", "json"]), missing: "release: not found")
                .map(Self.releaseStatus)
        }
        guard let value else {
            seen.withLock { $0[path] = nil }
            return nil
        }
        let data = Data(CanonicalYAML.render(value).utf8)
        seen.withLock { $0[path] = SHA256.hex(data) }
        return FileSnapshot(data: data, meta: Self.meta)
    }

    public func write(_ path: String, data: Data, meta: FileMeta) throws {
        guard case .object(let namespace, let kind, let name) = try ClusterPath(path) else {
            throw ClusterTransportError.unsupported(host: host, path: path, operation: "write helm's answers in")
        }
        let target = try CanonicalYAML.parse(String(decoding: data, as: UTF8.self), what: "the new content of \(path)")
        guard target.value(at: ["metadata", "name"])?.string == name,
            target.value(at: ["metadata", "namespace"])?.string.map({ $0 == namespace }) ?? true
        else {
            throw ClusterTransportError.unsupported(host: host, path: path, operation: "rename or move")
        }
        guard let live = try object(namespace: namespace, kind: kind, name: name) else {
            throw ClusterTransportError.gone(host: host, path: path)
        }
        let current = Self.managedFields(live)
        let currentSHA = SHA256.hex(Data(CanonicalYAML.render(current).utf8))
        if let expected = seen.withLock({ $0[path] }), expected != currentSHA {
            throw ClusterTransportError.changedWhileApplying(host: host, path: path)
        }
        guard var patch = KubeValue.mergePatch(from: current, to: target) else { return }
        if let version = live.value(at: ["metadata", "resourceVersion"]) {
            patch = patch.setting(["metadata", "resourceVersion"], to: version)
        }
        let argv = kubectl(["patch", kind, name, "-n", namespace, "--type", "merge", "-p", patch.compactJSON])
        let result = try control.run(CommandSpec(argv: argv, timeout: timeout), output: nil)
        if result.timedOut { throw ClusterTransportError.timedOut(argv: argv, seconds: timeout) }
        guard result.exitCode == 0 else {
            if result.stderr.contains("(Conflict)") {
                throw ClusterTransportError.conflict(host: host, path: path, stderr: result.stderr)
            }
            throw ClusterTransportError.failed(argv: argv, exitCode: result.exitCode, stderr: result.stderr)
        }
        seen.withLock { $0[path] = SHA256.hex(Data(CanonicalYAML.render(target).utf8)) }
    }

    public func remove(_ path: String) throws {
        throw ClusterTransportError.unsupported(host: host, path: path, operation: "delete")
    }

    public func list(_ dir: String) throws -> [String] { [] }

    public func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult {
        try control.run(command, output: output)
    }

    /// The live object as kubectl prints it, or nil when it does not exist.
    func object(namespace: String, kind: String, name: String) throws -> KubeValue? {
        if kind == "secret" || kind == "secrets" { throw ClusterTransportError.secretRefused(kind: kind) }
        return try query(kubectl(["get", kind, name, "-n", namespace, "-o", "json"]), missing: "(NotFound)")
    }

    /// Runs a read-only query and parses its JSON; nil when it fails saying the thing is missing.
    private func query(_ argv: [String], missing: String) throws -> KubeValue? {
        let result = try control.run(CommandSpec(argv: argv, timeout: timeout), output: nil)
        if result.timedOut { throw ClusterTransportError.timedOut(argv: argv, seconds: timeout) }
        guard result.exitCode == 0 else {
            if result.stderr.contains(missing) { return nil }
            throw ClusterTransportError.failed(argv: argv, exitCode: result.exitCode, stderr: result.stderr)
        }
        return try KubeValue.parse(json: result.stdout, what: argv.joined(separator: " "))
    }

    /// The object without `status` and the metadata the server manages.
    public static func managedFields(_ object: KubeValue) -> KubeValue {
        guard case .object(var members) = object else { return object }
        members["status"] = nil
        if case .object(var metadata) = members["metadata"] {
            for key in serverManagedMetadata { metadata[key] = nil }
            members["metadata"] = .object(metadata)
        }
        return .object(members)
    }

    /// What `helm status -o json` says about a release, without the chart, values and rendered manifests (they
    /// hold passwords and Secrets that must not be copied into the state repo).
    public static func releaseStatus(_ status: KubeValue) -> KubeValue {
        var out: [String: KubeValue] = [:]
        for key in ["name", "namespace", "version"] { out[key] = status[key] }
        if case .object(let info) = status["info"] {
            out["info"] = .object(
                info.filter { ["status", "description", "first_deployed", "last_deployed"].contains($0.key) })
        }
        if case .object(let metadata) = status.value(at: ["chart", "metadata"]) {
            out["chart"] = .object(metadata.filter { ["name", "version", "appVersion"].contains($0.key) })
        }
        return .object(out)
    }
}
