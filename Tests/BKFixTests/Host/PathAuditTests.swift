import Foundation
import Testing

@testable import BKFix

@Suite struct PathAuditTests {
    static let goodPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
    static let brokenPath = "/usr/local/sbin:/usr/bin"

    /// A host with Debian's /etc/profile and /etc/environment plus the given extra files.
    static func host(_ extra: [String: String] = [:], readOnly: Bool = false) throws -> MemoryTransport {
        let t = MemoryTransport(readOnly: readOnly)
        t.setFile("/etc/profile", try Fixtures.data("host/path/profile"))
        t.setFile("/etc/environment", try Fixtures.data("host/path/environment"))
        t.setFile("/etc/profile.d/kubectl.sh", try Fixtures.data("host/path/profile.d-kubectl.sh"))
        for (path, fixture) in extra { t.setFile(path, try Fixtures.data("host/path/\(fixture)")) }
        return t
    }

    @Test func aCleanDebianLoginKeepsUsrLocalBin() throws {
        let audit = try PathAudit.audit(
            dir: "/usr/local/bin", home: "/root", environment: ["PATH": Self.goodPath], transport: Self.host())
        #expect(audit.inCurrentEnvironment)
        #expect(audit.inLoginShell)
        #expect(audit.breakingAssignments.isEmpty)
        #expect(audit.filesRead == ["/etc/environment", "/etc/profile", "/etc/profile.d/kubectl.sh"])
    }

    @Test func aCurrentPathWithoutTheDirIsDetected() throws {
        let audit = try PathAudit.audit(
            dir: "/usr/local/bin", home: "/root", environment: ["PATH": Self.brokenPath], transport: Self.host())
        #expect(!audit.inCurrentEnvironment)
        #expect(audit.inLoginShell)
    }

    @Test func anRcFileThatResetsPathIsPointedAt() throws {
        let t = try Self.host(["/root/.bashrc": "bashrc-reset", "/root/.bash_profile": "bash_profile"])
        let audit = try PathAudit.audit(dir: "/usr/local/bin", home: "/root", environment: [:], transport: t)
        #expect(!audit.inLoginShell)
        let culprit = try #require(audit.breakingAssignments.last)
        #expect(culprit.file == "/root/.bashrc")
        #expect(culprit.line == 15)
        #expect(culprit.text == "export PATH=/usr/local/sbin:/usr/bin:$GOROOT/bin")
        #expect(audit.loginPath == "/usr/local/sbin:/usr/bin:$GOROOT/bin")
        #expect(audit.filesRead.suffix(2) == ["/root/.bash_profile", "/root/.bashrc"])
    }

    @Test func etcEnvironmentIsReadWithoutExpansion() throws {
        let t = MemoryTransport()
        t.setFile("/etc/environment", try Fixtures.data("host/path/environment-reset"))
        let audit = try PathAudit.audit(dir: "/usr/local/bin", home: "/root", environment: [:], transport: t)
        #expect(!audit.inLoginShell)
        #expect(audit.breakingAssignments.map(\.line) == [1])
        #expect(audit.loginPath == "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin")
    }

    @Test func assignmentsAreRecognisedAndEvaluated() {
        func eval(_ line: String, current: String = "/usr/bin") -> String? {
            PathAudit.assignment(
                in: line, file: "f", lineNumber: 1, current: current, dir: "/usr/local/bin", expand: true)?.value
        }
        #expect(eval("PATH=$PATH:/opt/bin") == "/usr/bin:/opt/bin")
        #expect(eval("export PATH=\"/usr/local/bin:${PATH}\"") == "/usr/local/bin:/usr/bin")
        #expect(eval("  export PATH='/a:$PATH'") == "/a:$PATH")
        #expect(eval("[ -d /opt/x ] && PATH=/opt/x:$PATH") == "/opt/x:/usr/bin")
        #expect(eval("# export PATH=/nothing") == nil)
        #expect(eval("export MANPATH=/usr/share/man") == nil)
        #expect(eval("export PATH") == nil)
    }

    @Test func anAppendingAssignmentOnlyBreaksWhenItLosesTheDir() {
        let keep = PathAudit.assignment(
            in: "PATH=$PATH:/opt", file: "f", lineNumber: 1, current: "/usr/bin", dir: "/usr/local/bin", expand: true)
        #expect(keep?.breaksDir == false, "PATH never had the dir, and this line keeps what it got")
        let reset = PathAudit.assignment(
            in: "PATH=/usr/bin", file: "f", lineNumber: 1, current: "/usr/local/bin:/usr/bin", dir: "/usr/local/bin",
            expand: true)
        #expect(reset?.breaksDir == true)
    }

    @Test func aRepairedLineKeepsQuotesAndTheRest() throws {
        let quoted = try #require(
            PathAudit.assignment(
                in: "  export PATH=\"/usr/sbin:/usr/bin\" # mine", file: "f", lineNumber: 1, current: "",
                dir: "/usr/local/bin",
                expand: true))
        #expect(
            PathAudit.repairedLine(quoted, dir: "/usr/local/bin")
                == "  export PATH=\"/usr/sbin:/usr/bin:/usr/local/bin\" # mine")
        let bare = try #require(
            PathAudit.assignment(
                in: "export PATH=/usr/sbin:/usr/bin; export GOPATH=/go", file: "f", lineNumber: 1, current: "",
                dir: "/usr/local/bin",
                expand: true))
        #expect(
            PathAudit.repairedLine(bare, dir: "/usr/local/bin")
                == "export PATH=/usr/sbin:/usr/bin:/usr/local/bin; export GOPATH=/go")
    }

    @Test func containsIgnoresTrailingSlashes() {
        #expect(PathAudit.contains("/usr/local/bin/:/usr/bin", "/usr/local/bin"))
        #expect(!PathAudit.contains("/usr/local/sbin:/usr/bin", "/usr/local/bin"))
        #expect(!PathAudit.contains("", "/usr/local/bin"))
    }
}
