import Foundation
import Synchronization
import Testing

@testable import BKFix

@Suite struct ProcessRunnerTests {
    let env = ["PATH": "/usr/bin:/bin"]

    func sh(
        _ script: String, workdir: String? = nil, environment: [String: String]? = nil, timeout: Double = 20,
        output: (@Sendable (OutputLine) -> Void)? = nil
    ) throws -> CommandResult {
        try ProcessRunner.run(
            ["sh", "-c", script], workdir: workdir, environment: environment ?? env,
            timeout: timeout, output: output)
    }

    @Test func exitCodesAreReported() throws {
        #expect(try sh("exit 0").exitCode == 0)
        #expect(try sh("exit 3").exitCode == 3)
        #expect(try sh("exit 3").succeeded == false)
        #expect(try sh("kill -TERM $$").exitCode == 128 + 15)
    }

    @Test func stdoutAndStderrAreSeparated() throws {
        let result = try sh("echo out; echo err >&2; printf tail")
        #expect(result.stdout == "out\ntail")
        #expect(result.stderr == "err\n")
        #expect(result.argv == ["sh", "-c", "echo out; echo err >&2; printf tail"])
        #expect(!result.timedOut)
    }

    @Test func linesArriveInOrderWithTheUnterminatedLastOne() throws {
        let lines = Mutex<[String]>([])
        let result = try sh("for i in 1 2 3; do echo line$i; sleep 0.05; done; printf 'crlf\\r\\n'; printf last") {
            line in
            if case .stdout(let text) = line { lines.withLock { $0.append(text) } }
        }
        #expect(result.exitCode == 0)
        #expect(lines.withLock { $0 } == ["line1", "line2", "line3", "crlf", "last"])
    }

    @Test func stderrLinesAreTaggedAsStderr() throws {
        let lines = Mutex<[String]>([])
        _ = try sh("echo a >&2; echo b") { line in
            switch line {
            case .stdout(let text): lines.withLock { $0.append("out:" + text) }
            case .stderr(let text): lines.withLock { $0.append("err:" + text) }
            }
        }
        #expect(Set(lines.withLock { $0 }) == ["err:a", "out:b"])
    }

    @Test func timeoutKillsTheChildAndItsGroup() throws {
        let start = Date()
        let result = try ProcessRunner.run(["sleep", "10"], workdir: nil, environment: env, timeout: 0.5, output: nil)
        let elapsed = Date().timeIntervalSince(start)
        #expect(result.timedOut)
        #expect(!result.succeeded)
        // Killed long before sleep's 10 s, however loaded the machine is.
        #expect(elapsed < 8)
        #expect(elapsed >= 0.5)
    }

    @Test func timeoutEscalatesToSigkillWhenTermIsIgnored() throws {
        let start = Date()
        let result = try sh("trap '' TERM; sleep 10 & wait; sleep 10", timeout: 0.3)
        #expect(result.timedOut)
        #expect(result.exitCode == 128 + 9)
        #expect(Date().timeIntervalSince(start) < 8)
    }

    @Test func timeoutAppliesEvenAfterTheChildClosedItsOutput() throws {
        let start = Date()
        let result = try sh("exec >&- 2>&-; sleep 10", timeout: 0.3)
        #expect(result.timedOut)
        #expect(Date().timeIntervalSince(start) < 8)
    }

    @Test func commandNotFoundNamesTheCommand() {
        #expect(throws: ProcessRunnerError.notFound(command: "kubectl-nope")) {
            try ProcessRunner.run(["kubectl-nope"], workdir: nil, environment: env, timeout: 5, output: nil)
        }
        #expect(throws: ProcessRunnerError.notFound(command: "/nonexistent/tool")) {
            try ProcessRunner.run(["/nonexistent/tool"], workdir: nil, environment: env, timeout: 5, output: nil)
        }
        #expect(
            ProcessRunnerError.notFound(command: "kubectl").errorDescription == "kubectl: command not found in PATH")
    }

    @Test func lookupUsesThePathOfTheGivenEnvironment() {
        #expect(throws: ProcessRunnerError.notFound(command: "sh")) {
            try ProcessRunner.run(
                ["sh", "-c", "true"], workdir: nil, environment: ["PATH": "/nonexistent"],
                timeout: 5, output: nil)
        }
    }

    @Test func missingWorkdirIsAnError() {
        #expect(throws: ProcessRunnerError.workdirMissing(path: "/nonexistent/dir")) {
            try ProcessRunner.run(["true"], workdir: "/nonexistent/dir", environment: env, timeout: 5, output: nil)
        }
    }

    @Test func workdirIsRespected() throws {
        let dir = try Fixtures.tempDir("runner")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try ProcessRunner.run(["pwd", "-P"], workdir: dir.path, environment: env, timeout: 5, output: nil)
        let expected = URL(fileURLWithPath: dir.path).resolvingSymlinksInPath().path
        #expect(result.stdout == expected + "\n")
    }

    @Test func environmentIsExactlyTheOneGiven() throws {
        let result = try sh(
            "echo \"$GREETING|${HOME-unset}\"", environment: ["PATH": "/usr/bin:/bin", "GREETING": "ni hao"])
        #expect(result.stdout == "ni hao|unset\n")
    }

    @Test func stdinIsDevNull() throws {
        let result = try ProcessRunner.run(["cat"], workdir: nil, environment: env, timeout: 5, output: nil)
        #expect(result.exitCode == 0)
        #expect(result.stdout == "")
    }

    @Test func fiveMegabytesOnBothPipesDoesNotDeadlock() throws {
        let result = try sh(
            "head -c 5000000 /dev/zero | tr '\\0' a & head -c 5000000 /dev/zero | tr '\\0' b >&2; wait",
            timeout: 60)
        #expect(!result.timedOut)
        #expect(result.stdout.utf8.count == 5_000_000)
        #expect(result.stderr.utf8.count == 5_000_000)
    }

    @Test func invalidUTF8IsDecodedLossily() throws {
        let result = try sh("printf 'ok\\377\\376end'")
        #expect(result.stdout == "ok\u{FFFD}\u{FFFD}end")
    }

    @Test func severalThreadsCanRunAtOnce() {
        let env = self.env
        let outputs = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let result = try? ProcessRunner.run(
                ["sh", "-c", "sleep 0.2; echo \(index)"], workdir: nil, environment: env, timeout: 10, output: nil)
            outputs.withLock { $0.append(result?.stdout ?? "failed") }
        }
        #expect(Set(outputs.withLock { $0 }) == Set((0..<8).map { "\($0)\n" }))
    }

    @Test func backgroundProcessHoldingThePipesDoesNotBlockTheReturn() throws {
        let start = Date()
        let result = try sh("sleep 5 & echo started", timeout: 20)
        #expect(result.exitCode == 0)
        #expect(!result.timedOut)
        #expect(result.stdout == "started\n")
        #expect(Date().timeIntervalSince(start) < 8)
    }

    @Test func emptyArgvIsRefused() {
        #expect(throws: ProcessRunnerError.spawnFailed(argv: [], errno: EINVAL)) {
            try ProcessRunner.run([], workdir: nil, environment: env, timeout: 5, output: nil)
        }
    }
}

/// stdin bytes for the child (SSHTransport sends file contents this way).
@Suite struct ProcessRunnerInputTests {
    @Test func inputBytesReachTheChildsStdinExactly() throws {
        let bytes = Data((0...255).map { UInt8($0) }) + Data(repeating: 65, count: 300_000)
        let r = try ProcessRunner.run(
            ["/bin/sh", "-c", "wc -c"], workdir: nil, environment: ["PATH": "/usr/bin:/bin"], timeout: 30, input: bytes,
            output: nil)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(bytes.count))
    }

    @Test func aChildThatIgnoresItsInputStillFinishes() throws {
        let r = try ProcessRunner.run(
            ["/bin/true"], workdir: nil, environment: [:], timeout: 10, input: Data(repeating: 1, count: 1 << 20),
            output: nil)
        #expect(r.succeeded)
    }

    @Test func withoutInputStdinIsEmpty() throws {
        let r = try ProcessRunner.run(["/bin/cat"], workdir: nil, environment: [:], timeout: 10, output: nil)
        #expect(r.stdout.isEmpty)
        #expect(r.succeeded)
    }
}
