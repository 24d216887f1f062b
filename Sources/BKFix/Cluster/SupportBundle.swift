import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One step of `collect`, reported to the progress callback before it runs.
public struct CollectProgress: Sendable, Equatable {
    public var index: Int
    public var total: Int
    /// The file the step writes, relative to the bundle directory.
    public var file: String
    /// What runs, as the operator would type it.
    public var command: String
}

/// What `collect` produced.
public struct CollectResult: Sendable, Equatable {
    public var directory: String
    public var files: [String]
    public var archive: String
    /// Steps whose command failed; their file holds the error instead, and collection went on.
    public var failures: [String]
}

/// Why the bundle could not be made at all.
public enum CollectError: LocalizedError, Equatable {
    case cannotCreate(directory: String, stderr: String)
    case archiveFailed(argv: [String], exitCode: Int32, stderr: String)

    public var errorDescription: String? {
        switch self {
        case .cannotCreate(let dir, let stderr):
            return "cannot create the bundle folder \(dir): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        case .archiveFailed(let argv, let code, let stderr):
            return
                "\(argv.joined(separator: " ")) exited with status \(code): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}

/// Gathers what BlueKing support asks for (`kubectl get pod -A`, `describe pod -A`, logs of not-ready pods,
/// previous logs of pods restarted more than 3 times, `helm list -A`, tool versions) into a folder and a tar.gz,
/// with secrets masked.
public struct SupportBundleCollector: Sendable {
    public let kubectl: KubectlClient
    /// Where the bundle is written and packed (default: kubectl's transport, the control machine).
    public let output: any Transport
    public var helm = "helm"
    public var helmfile = "helmfile"
    public var restartThreshold = 3
    public var logTail = 1000

    public init(kubectl: KubectlClient, output: (any Transport)? = nil) {
        self.kubectl = kubectl
        self.output = output ?? kubectl.transport
    }

    private struct Step {
        var file: String
        var argv: [String]
        var kubectlArguments: [String]?
    }

    /// Writes the bundle into `directory` (created) and `directory.tar.gz`; `history` is the bkfix history text.
    public func collect(
        to directory: String, history: String? = nil, progress: (CollectProgress) -> Void = { _ in }
    ) throws -> CollectResult {
        let transport = kubectl.transport
        let mkdir = try output.run(CommandSpec(argv: ["mkdir", "-p", directory]), output: nil)
        guard mkdir.succeeded else { throw CollectError.cannotCreate(directory: directory, stderr: mkdir.stderr) }

        var failures: [String] = []
        var pods: [PodSummary] = []
        do {
            pods = try kubectl.pods()
        } catch {
            failures.append("pods.json: \(error.localizedDescription)")
        }
        var steps: [Step] = [
            Step(file: "pods.txt", argv: [], kubectlArguments: ["get", "pod", "-A", "-o", "wide"]),
            Step(file: "describe-pods.txt", argv: [], kubectlArguments: ["describe", "pod", "-A"]),
            Step(file: "events.txt", argv: [], kubectlArguments: ["get", "events", "-A"]),
            Step(file: "pvc.txt", argv: [], kubectlArguments: ["get", "pvc", "-A"]),
            Step(file: "nodes.txt", argv: [], kubectlArguments: ["get", "nodes", "-o", "wide"]),
        ]
        for pod in pods where pod.isNotReady {
            for container in pod.containers.isEmpty
                ? [ContainerSummary(name: "", ready: false, restartCount: 0)] : pod.containers
            {
                var arguments = ["logs", "-n", pod.namespace, pod.name, "--tail", String(logTail)]
                if !container.name.isEmpty { arguments += ["-c", container.name] }
                let suffix = container.name.isEmpty ? "" : "_\(container.name)"
                steps.append(
                    Step(file: "logs/\(pod.namespace)_\(pod.name)\(suffix).log", argv: [], kubectlArguments: arguments))
                if container.restartCount > restartThreshold {
                    steps.append(
                        Step(
                            file: "logs/\(pod.namespace)_\(pod.name)\(suffix).previous.log", argv: [],
                            kubectlArguments: ["logs", "-p"] + arguments.dropFirst()))
                }
            }
        }
        steps += [
            Step(file: "helm-list.txt", argv: [helm, "list", "-A"]),
            Step(file: "versions/helm.txt", argv: [helm, "version"]),
            Step(file: "versions/helmfile.txt", argv: [helmfile, "--version"]),
            Step(file: "versions/kubectl.txt", argv: [], kubectlArguments: ["version", "--client"]),
        ]
        let total = steps.count + (history == nil ? 0 : 1)
        var files: [String] = []
        let meta = FileMeta(mode: 0o600, uid: getuid(), gid: getgid())
        if steps.contains(where: { $0.file.hasPrefix("logs/") }) {
            _ = try output.run(CommandSpec(argv: ["mkdir", "-p", directory + "/logs"]), output: nil)
        }
        _ = try output.run(CommandSpec(argv: ["mkdir", "-p", directory + "/versions"]), output: nil)
        for (offset, step) in steps.enumerated() {
            let argv = step.kubectlArguments.map { kubectl.argv($0) } ?? step.argv
            progress(
                CollectProgress(index: offset + 1, total: total, file: step.file, command: argv.joined(separator: " ")))
            var body: String
            let environment =
                step.kubectlArguments != nil ? (kubectl.kubeconfig.map { ["KUBECONFIG": $0] } ?? [:]) : [:]
            do {
                let result = try transport.run(
                    CommandSpec(argv: argv, timeout: kubectl.timeout, environment: environment), output: nil)
                body = result.stdout
                if !result.succeeded {
                    failures.append("\(step.file): exit \(result.exitCode)")
                    body =
                        "# \(argv.joined(separator: " ")) failed with exit status \(result.exitCode)\n" + result.stderr
                        + body
                }
            } catch {
                failures.append("\(step.file): \(error.localizedDescription)")
                body = "# \(argv.joined(separator: " ")) could not run: \(error.localizedDescription)\n"
            }
            try output.write(directory + "/" + step.file, data: Data(SecretMasker.apply(body).utf8), meta: meta)
            files.append(step.file)
        }
        if let history {
            progress(CollectProgress(index: total, total: total, file: "bkfix-history.txt", command: "bkfix history"))
            try output.write(directory + "/bkfix-history.txt", data: Data(SecretMasker.apply(history).utf8), meta: meta)
            files.append("bkfix-history.txt")
        }
        let parent = (directory as NSString).deletingLastPathComponent
        let name = (directory as NSString).lastPathComponent
        let archive = directory + ".tar.gz"
        let tar = ["tar", "-czf", archive, "-C", parent.isEmpty ? "." : parent, name]
        let packed = try output.run(CommandSpec(argv: tar, timeout: 300), output: nil)
        guard packed.succeeded else {
            throw CollectError.archiveFailed(argv: tar, exitCode: packed.exitCode, stderr: packed.stderr)
        }
        return CollectResult(directory: directory, files: files, archive: archive, failures: failures)
    }
}

extension CollectError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .cannotCreate, .archiveFailed: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .cannotCreate, .archiveFailed: return "io"
        }
    }
}
