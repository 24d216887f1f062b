import Foundation
import Testing

/// `scripts/embed.sh`, which the build runs every time: what it writes for a checkout that is clean, dirty or not a
/// git checkout at all, and that it leaves an unchanged file alone (so a no-op build recompiles nothing).
@Suite struct EmbedScriptTests {
    let env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "GIT_CONFIG_NOSYSTEM": "1"]

    /// A small package: Package.swift, one playbook and one case, copied from the checkout.
    func package() throws -> URL {
        let dir = try Fixtures.tempDir("bkfix-embed")
        let fm = FileManager.default
        try fm.copyItem(
            at: Fixtures.checkout.appendingPathComponent("Package.swift"),
            to: dir.appendingPathComponent("Package.swift"))
        for (folder, file) in [("playbooks", "hub-hosts.yaml"), ("cases", "chart-download-failed.yaml")] {
            try fm.createDirectory(at: dir.appendingPathComponent(folder), withIntermediateDirectories: true)
            try fm.copyItem(
                at: Fixtures.checkout.appendingPathComponent("\(folder)/\(file)"),
                to: dir.appendingPathComponent("\(folder)/\(file)"))
        }
        return dir
    }

    func embed(_ package: URL) async throws -> (ProcessOutput, stamp: String, files: String) {
        let out = package.appendingPathComponent("out")
        let r = try await ProcessHarness.run(
            "/bin/sh", [Fixtures.checkout.appendingPathComponent("scripts/embed.sh").path, package.path, out.path],
            environment: env)
        let stamp =
            (try? String(contentsOf: out.appendingPathComponent("BuildInfo+Stamp.swift"), encoding: .utf8)) ?? ""
        let files =
            (try? String(contentsOf: out.appendingPathComponent("EmbeddedDefinitions+Files.swift"), encoding: .utf8))
            ?? ""
        return (r, stamp, files)
    }

    func git(_ dir: URL, _ args: [String]) async throws -> ProcessOutput {
        try await ProcessHarness.run(
            "/usr/bin/git", ["-C", dir.path, "-c", "user.name=t", "-c", "user.email=t@t"] + args, environment: env)
    }

    @Test func outsideGitTheStampSaysSoAndTheFilesAreEmbeddedAsBase64() async throws {
        let dir = try package()
        defer { try? FileManager.default.removeItem(at: dir) }
        let (r, stamp, files) = try await embed(dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(stamp.contains("static let commit = \"\"\n"))
        #expect(stamp.contains("static let tree: TreeState = .notGit\n"))
        #expect(stamp.contains("(\"swift-argument-parser\", \"1.8.2\"),\n        (\"Yams\", \"6.2.2\"),"))
        let bytes = try Data(contentsOf: dir.appendingPathComponent("playbooks/hub-hosts.yaml"))
        #expect(files.contains("(\"hub-hosts.yaml\", \"\(bytes.base64EncodedString())\"),"))
        #expect(files.contains("(\"chart-download-failed.yaml\", "))
    }

    @Test func inGitTheStampNamesTheCommitAndMarksAChangedTreeDirty() async throws {
        let dir = try package()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "out/\n".write(to: dir.appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
        #expect(try await git(dir, ["init", "-q"]).status == 0)
        #expect(try await git(dir, ["add", "."]).status == 0)
        #expect(try await git(dir, ["commit", "-qm", "c"]).status == 0)
        let head = try await git(dir, ["rev-parse", "HEAD"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let clean = try await embed(dir)
        #expect(clean.stamp.contains("static let commit = \"\(head)\"\n"))
        #expect(clean.stamp.contains(".clean\n"), "\(clean.stamp)")

        try "# edited\n".write(to: dir.appendingPathComponent("cases/new.yaml"), atomically: true, encoding: .utf8)
        let dirty = try await embed(dir)
        #expect(dirty.stamp.contains(".dirty\n"), "\(dirty.stamp)")
        #expect(dirty.files.contains("(\"new.yaml\", \"IyBlZGl0ZWQK\"),"))
    }

    @Test func anUnchangedOutputIsNotRewritten() async throws {
        let dir = try package()
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try await embed(dir)
        let file = dir.appendingPathComponent("out/EmbeddedDefinitions+Files.swift").path
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: file)
        _ = try await embed(dir)
        #expect(try FileManager.default.attributesOfItem(atPath: file)[.modificationDate] as? Date == old)
    }

    @Test func aFileNameThatCannotBeEmbeddedStopsTheBuildNamingIt() async throws {
        let dir = try package()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id: x\n".write(to: dir.appendingPathComponent("playbooks/my fix.yaml"), atomically: true, encoding: .utf8)
        let (r, _, _) = try await embed(dir)
        #expect(r.status != 0)
        #expect(r.stderr.contains("playbooks/my fix.yaml: a definition file name uses only letters, digits"))
    }
}
