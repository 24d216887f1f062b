import Foundation

/// Why a kubectl query failed: the argv, its exit status and what it printed on stderr.
public enum KubectlError: LocalizedError, Equatable {
    case failed(argv: [String], exitCode: Int32, stderr: String)
    case timedOut(argv: [String], seconds: Double)
    case undecodable(argv: [String], problem: String)

    public var errorDescription: String? {
        switch self {
        case .failed(let argv, let code, let stderr):
            let detail = stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            return "\(argv.joined(separator: " ")) exited with status \(code)" + (detail.isEmpty ? "" : ": \(detail)")
        case .timedOut(let argv, let seconds):
            return
                "\(argv.joined(separator: " ")) did not finish within \(Int(seconds)) s; check that the cluster is reachable"
        case .undecodable(let argv, let problem):
            return "could not read the output of \(argv.joined(separator: " ")): \(problem)"
        }
    }
}

/// Read-only kubectl queries, run through a `Transport` on the control machine.
///
/// `--context` is passed on every call, and a kubeconfig path travels as `KUBECONFIG` in the environment.
public struct KubectlClient: Sendable {
    public let transport: any Transport
    public var context: String?
    public var kubeconfig: String?
    public var executable: String
    public var timeout: Double

    public init(
        transport: any Transport, context: String? = nil, kubeconfig: String? = nil, executable: String = "kubectl",
        timeout: Double = 120
    ) {
        self.transport = transport
        self.context = context
        self.kubeconfig = kubeconfig
        self.executable = executable
        self.timeout = timeout
    }

    /// The full argv for kubectl arguments.
    public func argv(_ arguments: [String]) -> [String] {
        [executable] + (context.map { ["--context", $0] } ?? []) + arguments
    }

    /// Runs kubectl and returns its stdout, or throws with its stderr.
    public func run(_ arguments: [String]) throws -> String {
        let argv = argv(arguments)
        let spec = CommandSpec(argv: argv, timeout: timeout, environment: kubeconfig.map { ["KUBECONFIG": $0] } ?? [:])
        let result = try transport.run(spec, output: nil)
        if result.timedOut { throw KubectlError.timedOut(argv: argv, seconds: timeout) }
        guard result.exitCode == 0 else {
            throw KubectlError.failed(argv: argv, exitCode: result.exitCode, stderr: result.stderr)
        }
        return result.stdout
    }

    /// Every pod of the cluster (or of the given namespaces), read with the fast scanner.
    public func pods(namespaces: Set<String>? = nil) throws -> [PodSummary] {
        let arguments = ["get", "pods", "-A", "-o", "json"]
        let json = try run(arguments)
        do {
            return try PodListScanner.pods(json: json, namespaces: namespaces)
        } catch {
            throw KubectlError.undecodable(argv: argv(arguments), problem: error.localizedDescription)
        }
    }

    public func events(namespace: String) throws -> [EventList.Event] {
        try decode(EventList.self, ["get", "events", "-n", namespace, "-o", "json"]).items
    }

    public func claims() throws -> [PVCList.Claim] {
        try decode(PVCList.self, ["get", "pvc", "-A", "-o", "json"]).items
    }

    public func storageClasses() throws -> [String] {
        try decode(NamedList.self, ["get", "sc", "-o", "json"]).items.map(\.metadata.name)
    }

    public func nodes() throws -> [NodeList.Node] {
        try decode(NodeList.self, ["get", "nodes", "-o", "json"]).items
    }

    /// The last lines of a container's previous run (`logs -p`), the crash reason of a CrashLoopBackOff.
    public func previousLogs(namespace: String, pod: String, container: String?, tail: Int = 50) throws -> String {
        var arguments = ["logs", "-p", "-n", namespace, pod, "--tail", String(tail)]
        if let container { arguments += ["-c", container] }
        return try run(arguments)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ arguments: [String]) throws -> T {
        let out = try run(arguments)
        do {
            return try JSONDecoder().decode(T.self, from: Data(out.utf8))
        } catch {
            throw KubectlError.undecodable(argv: argv(arguments), problem: "\(error)")
        }
    }
}

extension KubectlError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .failed, .timedOut, .undecodable: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .failed, .timedOut, .undecodable: return "kubectl"
        }
    }
}
