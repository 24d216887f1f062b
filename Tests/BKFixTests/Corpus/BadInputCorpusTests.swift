import Foundation
import Testing

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

/// Hostile operator inputs through the real binary: each one either ends in its expected error (naming the file and
/// the problem, exit 2) with nothing written anywhere, or, where the input is legal if odd, in the exact edit asked
/// for with every other byte kept. Never a hang, a crash, a partial write or a stray temp file.
@Suite struct BadInputCorpusTests {
    /// What a corpus input must lead to.
    enum Outcome: Sendable {
        /// Exit 2, stderr containing every fragment, the root byte for byte as before, no state repo created.
        case refused([String])
        /// Exit 0 and `path` becomes exactly `expected`; every other file unchanged.
        case edited(path: String, expected: Data)
    }

    struct Input: Sendable {
        var files: [String: Data]
        /// A playbook (its id is the file name) for the inputs that need one.
        var playbook: (id: String, text: String)?
        var command: [String]
        var outcome: Outcome
    }

    static let hosts = Data("127.0.0.1 localhost\n".utf8)
    static let hubLine = Data("49.234.165.79 hub.bktencent.com\n".utf8)
    static let valuesPlaybook = (
        id: "set-value",
        text: """
        id: set-value
        title: {zh: 设置, en: set a value}
        steps:
          - values-set: {file: /etc/bk/values.yaml, path: a.b, value: "2"}

        """
    )

    static func playbook(_ id: String, _ body: String) -> (id: String, text: String) {
        (id, "id: \(id)\ntitle: {zh: 测试, en: corpus}\n" + body)
    }

    /// `[x,x,...]` nine times nested nine deep through aliases: 9^10 nodes once expanded.
    static let aliasBomb: String = {
        var lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
        for i in 1...9 {
            lines.append("l\(i): &l\(i) [" + Array(repeating: "*l\(i - 1)", count: 9).joined(separator: ", ") + "]")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    static let deepBlock: String =
        (0..<1000).map { String(repeating: "  ", count: $0) + "k\($0):\n" }.joined()
        + String(repeating: "  ", count: 1000) + "v: 1\n"

    /// 100 lines of 100 KB: a 10 MB hosts file that is legal (comments), and its 100 KB lines.
    static let tenMegabytes: Data = {
        var text = "127.0.0.1 localhost\n"
        for i in 0..<100 { text += "# \(i) " + String(repeating: "x", count: 100_000) + "\n" }
        return Data(text.utf8)
    }()

    static let longAliases = Data(
        ("127.0.0.1 localhost\n10.0.0.5 " + (0..<8_000).map { "h\($0).example" }.joined(separator: " ") + "\n").utf8)

    static let corpus: [String: Input] = [
        // hosts files (hub-hosts)
        "hosts with NUL bytes": Input(
            files: ["/etc/hosts": Data("127.0.0.1 localhost\n\u{0}10.0.0.1 x\n".utf8)],
            command: ["apply", "hub-hosts"],
            outcome: .refused(["/etc/hosts contains NUL bytes"])),
        "hosts with invalid UTF-8 where an address should be": Input(
            files: ["/etc/hosts": hosts + Data([0xFF, 0xFE, 0x20, 0x61, 0x0A])], command: ["apply", "hub-hosts"],
            outcome: .refused(["/etc/hosts line 2", "does not start with an IP address"])),
        "hosts with invalid UTF-8 in a comment and a name (kept byte for byte)": Input(
            files: [
                "/etc/hosts": Data("# caf".utf8) + Data([0xE9, 0x0A]) + Data("10.0.0.9 x".utf8) + Data([0xFF, 0x0A])
            ],
            command: ["apply", "hub-hosts"],
            outcome: .edited(
                path: "/etc/hosts",
                expected: Data("# caf".utf8) + Data([0xE9, 0x0A]) + Data("10.0.0.9 x".utf8) + Data([0xFF, 0x0A])
                    + hubLine)),
        "hosts of 10 MB in 100 KB lines": Input(
            files: ["/etc/hosts": tenMegabytes], command: ["apply", "hub-hosts"],
            outcome: .edited(path: "/etc/hosts", expected: tenMegabytes + hubLine)),
        "hosts with a 100 KB line of names": Input(
            files: ["/etc/hosts": longAliases], command: ["apply", "hub-hosts"],
            outcome: .edited(path: "/etc/hosts", expected: longAliases + hubLine)),
        // daemon.json (docker-mirror): refused before any probe or reload
        "daemon.json truncated": Input(
            files: ["/etc/docker/daemon.json": Data(#"{"registry-mirrors": ["https://a""#.utf8)],
            command: ["apply", "docker-mirror"],
            outcome: .refused(["/etc/docker/daemon.json:1:34: invalid JSON", "nothing was written"])),
        "daemon.json with a byte order mark": Input(
            files: ["/etc/docker/daemon.json": Data([0xEF, 0xBB, 0xBF]) + Data(#"{"registry-mirrors": []}"#.utf8)],
            command: ["apply", "docker-mirror"],
            outcome: .refused(["/etc/docker/daemon.json:1:1", "byte order mark", "dockerd cannot read"])),
        "daemon.json with duplicate keys": Input(
            files: [
                "/etc/docker/daemon.json": Data(
                    #"{"registry-mirrors": ["https://a"], "debug": true, "registry-mirrors": []}"#.utf8)
            ], command: ["apply", "docker-mirror"],
            outcome: .refused([#"/etc/docker/daemon.json:1: key "registry-mirrors" appears more than once"#])),
        // values files (values-set)
        "values with a tab for indentation": Input(
            files: ["/etc/bk/values.yaml": Data("a:\n\tb: 1\n".utf8)], playbook: valuesPlaybook,
            command: ["apply", "set-value"], outcome: .refused(["/etc/bk/values.yaml:2: not YAML"])),
        "values with an unclosed quote": Input(
            files: ["/etc/bk/values.yaml": Data("a:\n  b: \"1\nc: 2\n".utf8)], playbook: valuesPlaybook,
            command: ["apply", "set-value"], outcome: .refused(["/etc/bk/values.yaml:4: not YAML"])),
        "values with an alias bomb": Input(
            files: ["/etc/bk/values.yaml": Data((aliasBomb + "a:\n  b: 1\n").utf8)], playbook: valuesPlaybook,
            command: ["apply", "set-value"], outcome: .refused(["/etc/bk/values.yaml:", "alias bomb"])),
        "values 1,000 levels deep": Input(
            files: ["/etc/bk/values.yaml": Data(("a:\n  b: 1\n" + deepBlock).utf8)], playbook: valuesPlaybook,
            command: ["apply", "set-value"], outcome: .refused(["/etc/bk/values.yaml:1002", "nesting"])),
        // playbooks
        "playbook with a tab for indentation": Input(
            files: [:], playbook: playbook("tabbed", "steps:\n\t- hosts-entry: {ip: 10.0.0.1, names: [a.test]}\n"),
            command: ["apply", "tabbed"], outcome: .refused(["tabbed.yaml:4:1: YAML error"])),
        "playbook with an unclosed quote": Input(
            files: [:], playbook: playbook("quoted", "steps:\n  - hosts-entry: {ip: \"10.0.0.1, names: [a]}\n"),
            command: ["apply", "quoted"], outcome: .refused(["quoted.yaml:", "YAML error"])),
        "playbook with an alias bomb": Input(
            files: [:],
            playbook: playbook("bomb", aliasBomb + "steps:\n  - command: {argv: *l9, risk: read-only}\n"),
            command: ["apply", "bomb"], outcome: .refused(["bomb.yaml:", "alias bomb"])),
        "playbook 1,000 levels deep": Input(
            files: [:],
            playbook: playbook("deep", "steps:\n  - command: {argv: [true], risk: read-only}\n" + deepBlock),
            command: ["apply", "deep"], outcome: .refused(["deep.yaml:", "YAML error"])),
        "playbook with an unknown step kind": Input(
            files: [:], playbook: playbook("unknown", "steps:\n  - frobnicate: {x: 1}\n"),
            command: ["apply", "unknown"], outcome: .refused(["unknown.yaml:4:5: unknown step kind 'frobnicate'"])),
        "playbook path leaving --root through ..": Input(
            files: ["/etc/hosts": hosts],
            playbook: playbook(
                "dotdot", "steps:\n  - hosts-entry: {file: /etc/../../../escaped, ip: 10.0.0.1, names: [a.test]}\n"),
            command: ["apply", "dotdot"],
            outcome: .refused(["/etc/../../../escaped climbs above the root directory"])),
        "playbook path leaving --root through a symlink": Input(
            files: ["/etc/hosts": hosts],
            playbook: playbook(
                "linked", "steps:\n  - hosts-entry: {file: /etc/out/escaped, ip: 10.0.0.1, names: [a.test]}\n"),
            command: ["apply", "linked"],
            outcome: .refused(["/etc/out/escaped is a symlink to ../../../outside", "leads outside the root"])),
    ]

    static var names: [String] { corpus.keys.sorted() }

    @Test(arguments: names)
    func aHostileInputEndsInItsExpectedOutcome(_ name: String) async throws {
        let input = try #require(Self.corpus[name])
        let s = try CLISandbox()
        defer { s.cleanup() }
        for tool in ["systemctl", "docker", "kubectl", "helm", "helmfile", "curl"] { try s.standIn(tool) }
        for (path, data) in input.files { try s.writeData(path, data) }
        // The symlink input: /etc/out climbs out of the root; the file it would reach must never appear.
        try FileManager.default.createDirectory(atPath: s.root + "/etc", withIntermediateDirectories: true)
        #expect(symlink("../../../outside", s.root + "/etc/out") == 0)
        let books = s.dir.appendingPathComponent("playbooks").path
        try FileManager.default.createDirectory(atPath: books, withIntermediateDirectories: true)
        if let book = input.playbook {
            try book.text.write(toFile: books + "/\(book.id).yaml", atomically: true, encoding: .utf8)
        }
        let before = s.rootSnapshot()
        let r = try await s.bkfix(input.command + (input.playbook == nil ? [] : ["--playbooks", books]) + ["--yes"])
        switch input.outcome {
        case .refused(let fragments):
            #expect(r.status == 2, "\(name): exit \(r.status): \(r.stderr)")
            for fragment in fragments { #expect(r.stderr.contains(fragment), "\(name): \(r.stderr)") }
            #expect(s.rootUnchanged(since: before), "\(name): something under the root changed")
            #expect(!FileManager.default.fileExists(atPath: s.state + "/.git"), "\(name): a state repo was created")
        case .edited(let path, let expected):
            #expect(r.status == 0, "\(name): exit \(r.status): \(r.stderr)")
            #expect(s.read(path) == expected, "\(name): \(path) is not exactly the edit asked for")
            var after = s.rootSnapshot()
            after[path] = before[path]
            #expect(after.keys.sorted() == before.keys.sorted(), "\(name): files appeared or vanished")
        }
        for outside in ["outside", "escaped"] {
            #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent(outside).path))
            #expect(!FileManager.default.fileExists(atPath: s.dir.deletingLastPathComponent().path + "/" + outside))
        }
        let stray = (try? FileManager.default.subpathsOfDirectory(atPath: s.root)) ?? []
        #expect(!stray.contains { $0.contains(".bkfix-") }, "\(name): a temp file was left: \(stray)")
    }

    @Test func theCorpusCoversEveryShapeTheIssueNames() {
        #expect(Self.corpus.count >= 19)
        print("bad-input corpus: \(Self.corpus.count) operator inputs through the binary")
    }

    // MARK: - File systems that refuse writes

    /// Mounts a tmpfs at the sandbox's /etc holding the hosts file, or returns nil (and says why) where mounting is
    /// not permitted.
    static func mountEtc(_ s: CLISandbox, size: String) throws -> String? {
        let etc = s.root + "/etc"
        try FileManager.default.createDirectory(atPath: etc, withIntermediateDirectories: true)
        let mounted = try ProcessRunner.run(
            ["/bin/mount", "-t", "tmpfs", "-o", "size=\(size),mode=0755", "tmpfs", etc], workdir: nil,
            environment: ["PATH": "/usr/bin:/bin"], timeout: 30, output: nil)
        guard mounted.succeeded else {
            print(
                "skipped: cannot mount a tmpfs here (\(mounted.stderr.trimmingCharacters(in: .whitespacesAndNewlines)))"
            )
            return nil
        }
        try s.writeData("/etc/hosts", hosts)
        return etc
    }

    static func unmount(_ path: String) {
        _ = try? ProcessRunner.run(
            ["/bin/umount", path], workdir: nil, environment: ["PATH": "/usr/bin:/bin"], timeout: 30, output: nil)
    }

    @Test func aReadOnlyFileSystemIsNamedAndNothingIsLost() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        guard let etc = try Self.mountEtc(s, size: "1m") else { return }
        defer { Self.unmount(etc) }
        let remount = try ProcessRunner.run(
            ["/bin/mount", "-o", "remount,ro", etc], workdir: nil, environment: ["PATH": "/usr/bin:/bin"],
            timeout: 30, output: nil)
        #expect(remount.succeeded, "\(remount.stderr)")
        let r = try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"])
        #expect(r.status == 1)
        let doc = try CLISandbox.json(r.stdout)
        #expect(doc["status"] as? String == "failed")
        #expect((doc["error"] as? String)?.contains("the file system is mounted read-only") == true, "\(doc)")
        #expect(s.read("/etc/hosts") == Self.hosts)
        // The failed run is recorded, with the pre-image.
        let log = try await s.git(["log", "-1", "--format=%B"])
        #expect(log.stdout.contains("Status: failed"))
        #expect(try await s.git(["fsck", "--strict"]).status == 0)
    }

    @Test func aFullDiskLeavesTheFileAsItWasAndNoTempFile() async throws {
        let s = try CLISandbox()
        defer { s.cleanup() }
        guard let etc = try Self.mountEtc(s, size: "64k") else { return }
        defer { Self.unmount(etc) }
        // Fill what is left: writing stops at ENOSPC.
        let fill = open(etc + "/filler", O_WRONLY | O_CREAT, 0o644)
        let block = [UInt8](repeating: 0x41, count: 4096)
        while block.withUnsafeBytes({ Glibc.write(fill, $0.baseAddress, $0.count) }) > 0 {}
        close(fill)
        let r = try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"])
        #expect(r.status == 1)
        let doc = try CLISandbox.json(r.stdout)
        #expect((doc["error"] as? String)?.contains("No space left on device") == true, "\(doc)")
        #expect(s.read("/etc/hosts") == Self.hosts)
        let left = try FileManager.default.contentsOfDirectory(atPath: etc).sorted()
        #expect(left == ["filler", "hosts"])
        #expect(try await s.git(["fsck", "--strict"]).status == 0)
    }
}
