import Foundation

@testable import BKFix

/// Loads a fixture work dir (`workdir/NAME/blueking/...`) into an in-memory control host under an install dir.
enum WorkDirFixture {
    static let installDir = "/data/bkce"
    static let workDir = "/data/bkce/blueking"

    /// The fixture's files as host paths → text.
    static func files(_ name: String) throws -> [String: String] {
        let root = Fixtures.url("workdir/\(name)")
        var files: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        while let url = enumerator?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let relative = String(url.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1))
            files[installDir + "/" + relative] = try String(decoding: Data(contentsOf: url), as: UTF8.self)
        }
        return files
    }

    static func transport(
        _ name: String = "bkce70", readOnly: Bool = false,
        responder: @escaping @Sendable ([String]) -> CommandResult = { argv in
            CommandResult(
                argv: argv, exitCode: 1, stdout: "", stderr: "The connection to the server was refused", duration: 0,
                timedOut: false)
        }
    ) throws -> MemoryTransport {
        MemoryTransport(files: try files(name), readOnly: readOnly, responder: responder)
    }

    static func context(_ transport: MemoryTransport, installDir: String? = installDir, language: Language = .en)
        -> PlanContext
    {
        PlanContext(
            host: "control", transport: transport, control: transport, installDir: installDir, language: language,
            environment: [:])
    }

    /// A kubectl pod list answer.
    static func podList(
        _ pods: [(name: String, component: String?, cpu: String, memory: String, ready: Bool, restarts: Int)]
    ) -> String {
        let items = pods.map { pod -> [String: Any] in
            var labels: [String: String] = ["app.kubernetes.io/instance": "bk-elastic"]
            if let component = pod.component { labels["app.kubernetes.io/component"] = component }
            return [
                "metadata": ["name": pod.name, "labels": labels],
                "spec": [
                    "containers": [["name": "main", "resources": ["limits": ["cpu": pod.cpu, "memory": pod.memory]]]]
                ],
                "status": [
                    "phase": "Running",
                    "containerStatuses": [["name": "main", "ready": pod.ready, "restartCount": pod.restarts]],
                ],
            ]
        }
        let data = try! JSONSerialization.data(withJSONObject: ["kind": "List", "items": items])
        return String(decoding: data, as: UTF8.self)
    }

    static func answer(_ stdout: String) -> @Sendable ([String]) -> CommandResult {
        { argv in CommandResult(argv: argv, exitCode: 0, stdout: stdout, stderr: "", duration: 0, timedOut: false) }
    }
}

extension CLISandbox {
    /// Puts the fixture work dir `bkce70` at /data/bkce/blueking and the stand-in helmfile and kubectl on PATH.
    func installWorkDirFixture() throws {
        for (path, text) in try WorkDirFixture.files("bkce70") { try write(path, text) }
        for tool in ["helmfile", "kubectl"] {
            try ExecutableScript.write(
                try String(contentsOf: Fixtures.url("workdir/standins/\(tool)"), encoding: .utf8), to: bin + "/" + tool)
        }
    }
}
