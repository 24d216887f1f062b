import Foundation

/// The real `git` command line, run against a state repo from outside to check what bkfix wrote.
/// It runs with its own HOME and no system config, so the test machine's git setup cannot change the answers.
struct GitCLI {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// HOME for git; a `.gitconfig` placed here is what git sees as the user's global config.
    let home: URL

    /// Runs `git -C repo args...` off the main thread and returns its exit status and output.
    func run(_ arguments: [String], in repo: String) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        process.arguments = ["-C", repo] + arguments
        process.environment = [
            "HOME": home.path, "GIT_CONFIG_NOSYSTEM": "1", "LANG": "C", "LC_ALL": "C", "PATH": "/usr/bin:/bin",
            "GIT_PAGER": "cat",
        ]
        let stdoutFile = home.appendingPathComponent("git-stdout-\(UUID().uuidString)")
        let stderrFile = home.appendingPathComponent("git-stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdoutFile)
            try? FileManager.default.removeItem(at: stderrFile)
        }
        let stdoutHandle = try FileHandle(forWritingTo: stdoutFile)
        let stderrHandle = try FileHandle(forWritingTo: stderrFile)
        process.standardOutput = stdoutHandle
        process.standardError = stderrHandle
        process.standardInput = FileHandle.nullDevice

        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { finished in continuation.resume(returning: finished.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try stdoutHandle.close()
        try stderrHandle.close()
        return Output(
            status: status,
            stdout: String(decoding: try Data(contentsOf: stdoutFile), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: stderrFile), as: UTF8.self))
    }

    /// Runs git and returns its stdout; throws `GitCLIError.failed` when it exits non-zero.
    func output(_ arguments: [String], in repo: String) async throws -> String {
        let result = try await run(arguments, in: repo)
        if result.status != 0 {
            throw GitCLIError.failed(arguments: arguments, status: result.status, stderr: result.stderr)
        }
        return result.stdout
    }
}

/// A git command the test expected to succeed failed.
enum GitCLIError: Error, Equatable {
    case failed(arguments: [String], status: Int32, stderr: String)
}
