import Foundation

/// A temporary control machine for CLI tests: `root/` (passed as `--root`), `state/` (the state repo), `bin/`
/// (stand-ins first on PATH, recording their argv in `calls.log`). The real bkfix binary runs as a process on it.
struct CLISandbox {
    let dir: URL
    var root: String { dir.appendingPathComponent("root").path }
    var state: String { dir.appendingPathComponent("state").path }
    var bin: String { dir.appendingPathComponent("bin").path }
    var callsLog: String { dir.appendingPathComponent("calls.log").path }

    init() throws {
        dir = try Fixtures.tempDir("bkfix-cli")
        for d in [root, bin, root + "/etc"] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: callsLog, contents: Data())
    }

    func cleanup() { try? FileManager.default.removeItem(at: dir) }

    /// The built `bkfix` binary, next to the test bundle (or `$BKFIX_BIN`).
    static var binary: String {
        if let b = ProcessInfo.processInfo.environment["BKFIX_BIN"] { return b }
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if dir.lastPathComponent == "debug" || dir.lastPathComponent == "release" {
            return dir.appendingPathComponent("bkfix").path
        }
        // Inside an .xctest bundle directory.
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("bkfix")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
            dir = dir.deletingLastPathComponent()
        }
        return "bkfix"
    }

    /// Writes a file under the root with a mode.
    func write(_ hostPath: String, _ content: String, mode: Int = 0o644) throws {
        try writeData(hostPath, Data(content.utf8), mode: mode)
    }

    func writeData(_ hostPath: String, _ content: Data, mode: Int = 0o644) throws {
        let url = URL(fileURLWithPath: root + hostPath)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try content.write(to: url)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: url.path)
    }

    func read(_ hostPath: String) -> Data? { FileManager.default.contents(atPath: root + hostPath) }

    func readText(_ hostPath: String) -> String? { read(hostPath).map { String(decoding: $0, as: UTF8.self) } }

    func mode(_ hostPath: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: root + hostPath))?[.posixPermissions] as? Int
    }

    /// Installs a stand-in for `tool`: answers exactly the given argv strings ("$*"), records every call, and fails
    /// loudly (exit 97) on anything else.
    func standIn(_ tool: String, answers: [String: (stdout: String, status: Int32)] = [:]) throws {
        var script = "#!/bin/sh\necho \"\(tool) $*\" >> '\(callsLog)'\ncase \"$*\" in\n"
        for (argv, answer) in answers.sorted(by: { $0.key < $1.key }) {
            let out = dir.appendingPathComponent("answer-\(tool)-\(UUID().uuidString)")
            try Data(answer.stdout.utf8).write(to: out)
            script += "  '\(argv)') cat '\(out.path)'; exit \(answer.status) ;;\n"
        }
        script += "esac\necho \"stand-in \(tool): unexpected arguments: $*\" >&2\nexit 97\n"
        let path = bin + "/" + tool
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// Every stand-in call so far, one "tool args" line each.
    var calls: [String] {
        (try? String(contentsOfFile: callsLog, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
    }

    var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = bin + ":/usr/local/bin:/usr/bin:/bin"
        env["LANG"] = "en_US.UTF-8"
        env["LC_ALL"] = nil
        env["NO_COLOR"] = "1"
        env["BKFIX_STATE"] = nil
        env["INSTALL_DIR"] = nil
        return env
    }

    /// Runs `bkfix ARGS --root root --state state`.
    func bkfix(_ args: [String], stdin: Data = Data(), env extra: [String: String] = [:]) async throws -> ProcessOutput
    {
        var env = environment
        for (k, v) in extra { env[k] = v }
        return try await ProcessHarness.run(
            Self.binary, args + ["--root", root, "--state", state], environment: env, stdin: stdin)
    }

    /// Starts `bkfix ARGS --root root --state state` in the background (for tests that kill it mid-run).
    func start(_ args: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = args + ["--root", root, "--state", state]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Runs the real git CLI on the state repo.
    func git(_ args: [String]) async throws -> ProcessOutput {
        try await ProcessHarness.run(
            "/usr/bin/git", ["-C", state] + args,
            environment: [
                "HOME": dir.path, "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin", "LC_ALL": "C",
                "GIT_PAGER": "cat",
            ])
    }

    /// Parses a JSON object from stdout.
    static func json(_ text: String) throws -> [String: Any] {
        guard let obj = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CLISandboxError.notAnObject(text)
        }
        return obj
    }
}

/// Test harness failures.
enum CLISandboxError: Error {
    case notAnObject(String)
}
