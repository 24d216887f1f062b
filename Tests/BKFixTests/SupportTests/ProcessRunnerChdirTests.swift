import Foundation
import Testing

@testable import BKFix

/// Without `posix_spawn_file_actions_addchdir_np` (glibc older than 2.29) a child enters its working directory
/// through `/bin/sh -c 'cd ... && exec ...'`: same directory, same argv words, same exit status, same process group.
@Suite struct ProcessRunnerChdirTests {
    let env = ["PATH": "/usr/bin:/bin"]

    @Test(arguments: [ProcessRunner.ChdirMethod.spawnAction, .shell])
    func theChildRunsInItsWorkdirWithItsArgvIntact(method: ProcessRunner.ChdirMethod) throws {
        let dir = try Fixtures.tempDir("bkfix-chdir dir 'quoted'")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try ProcessRunner.run(
            ["sh", "-c", #"pwd; printf '<%s>' "$@"; exit 7"#, "sh", "a b", "c'd", "$HOME", "-n"],
            workdir: dir.path, environment: env, timeout: 20, output: nil, chdir: method)
        #expect(result.exitCode == 7)
        #expect(result.stdout == dir.path + "\n<a b><c'd><$HOME><-n>", "\(result.stderr)")
        #expect(result.argv.first == "sh")
    }

    @Test func theShellWrapperExecsSoATimeoutStillStopsTheCommand() throws {
        let dir = try Fixtures.tempDir("bkfix-chdir")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try ProcessRunner.run(
            ["sleep", "30"], workdir: dir.path, environment: env, timeout: 0.5, output: nil, chdir: .shell)
        #expect(result.timedOut)
    }

    @Test func aMissingWorkdirIsStillNamedBeforeAnythingRuns() throws {
        #expect(throws: ProcessRunnerError.workdirMissing(path: "/nonexistent/dir")) {
            try ProcessRunner.run(
                ["true"], workdir: "/nonexistent/dir", environment: env, timeout: 5, output: nil, chdir: .shell)
        }
    }
}
