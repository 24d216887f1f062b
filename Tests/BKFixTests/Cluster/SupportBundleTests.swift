import Foundation
import Synchronization
import Testing

@testable import BKFix

@Suite struct SupportBundleTests {
    static let describeText = """
        Name:         bk-auth-web-5f7c9d-2lq8x
        Namespace:    blueking
            Environment:
              BK_MYSQL_PASSWORD:  Sup3rS3cret!
              BK_APP_SECRET:      <set to the key 'app-secret' in secret 'bk-auth-secret'>  Optional: false
              BK_REDIS_URL:       redis://admin:redispass@bk-redis-master:6379/0
            Args:
              --api-token=abcd1234efgh
        """

    /// The recorded `start-timeout` cluster plus the table/describe/helm outputs `collect` asks for.
    static func responder(_ argv: [String]) -> CommandResult {
        let ok = { (out: String) in RecordedCluster.ok(argv, out) }
        switch Array(argv.dropFirst()) {
        case ["get", "pod", "-A", "-o", "wide"]:
            return ok("NAMESPACE  NAME  READY  STATUS\nblueking  bk-auth-web-5f7c9d-2lq8x  0/1  Running\n")
        case ["describe", "pod", "-A"]: return ok(describeText)
        case ["get", "events", "-A"], ["get", "pvc", "-A"], ["get", "nodes", "-o", "wide"]:
            return ok("No resources found\n")
        case ["version", "--client"]: return ok("Client Version: v1.20.11\n")
        case ["list", "-A"]: return ok("NAME\tNAMESPACE\tREVISION\tSTATUS\nbk-auth\tblueking\t1\tfailed\n")
        case ["version"]: return ok(#"version.BuildInfo{Version:"v3.14.3"}"# + "\n")
        case ["--version"]:
            return CommandResult(
                argv: argv, exitCode: 127, stdout: "", stderr: "helmfile: command not found", duration: 0,
                timedOut: false)
        default: break
        }
        if argv.count > 2, argv[1] == "logs" {
            let previous = argv[2] == "-p"
            return ok(previous ? "previous run: db password=hunter2 then crashed\n" : "starting... waiting for mysql\n")
        }
        return RecordedCluster.respond(argv, dir: Fixtures.url("diag/live/start-timeout"), context: nil)
    }

    @Test func bundleHasEveryItemMasksSecretsAndTheArchiveOpens() throws {
        let root = try Fixtures.tempDir("collect")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("bundle").path
        let collector = SupportBundleCollector(
            kubectl: KubectlClient(transport: DiskTransport(responder: Self.responder)))
        let seen = Mutex<[CollectProgress]>([])
        let result = try collector.collect(to: dir, history: "run 1 hub-hosts token=abc123456") { p in
            seen.withLock { $0.append(p) }
        }

        let pod = "blueking_bk-auth-web-5f7c9d-2lq8x_main"
        for file in [
            "pods.txt", "describe-pods.txt", "helm-list.txt", "versions/helm.txt", "versions/kubectl.txt",
            "logs/\(pod).log", "logs/\(pod).previous.log", "bkfix-history.txt",
        ] {
            #expect(FileManager.default.fileExists(atPath: dir + "/" + file), "missing \(file)")
            #expect(result.files.contains(file))
        }
        let describe = try String(contentsOfFile: dir + "/describe-pods.txt", encoding: .utf8)
        #expect(
            !describe.contains("Sup3rS3cret!") && !describe.contains("redispass") && !describe.contains("abcd1234efgh"))
        #expect(describe.contains("BK_MYSQL_PASSWORD:  ******"))
        #expect(describe.contains("<set to the key 'app-secret'"))
        #expect(
            try String(contentsOfFile: dir + "/logs/\(pod).previous.log", encoding: .utf8).contains("password=******"))
        #expect(try String(contentsOfFile: dir + "/bkfix-history.txt", encoding: .utf8).contains("token=******"))
        #expect(result.failures == ["versions/helmfile.txt: exit 127"])
        // Every ****** in the bundle's files is one masked value, and the result counts them.
        let shown = try result.files.map { try String(contentsOfFile: dir + "/" + $0, encoding: .utf8) }.joined()
        #expect(result.masked == shown.components(separatedBy: SecretMasker.mask).count - 1)
        #expect(result.masked >= 5)
        #expect(
            try String(contentsOfFile: dir + "/versions/helmfile.txt", encoding: .utf8).contains("command not found"))

        let progress = seen.withLock { $0 }
        #expect(progress.count == result.files.count)
        #expect(progress.map(\.index) == Array(1...progress.count))
        #expect(progress.allSatisfy { $0.total == progress.count })

        #expect(result.archive == dir + ".tar.gz")
        let list = Process()
        list.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        list.arguments = ["tar", "-tzf", result.archive]
        let out = Pipe()
        list.standardOutput = out
        try list.run()
        list.waitUntilExit()
        let names = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(list.terminationStatus == 0)
        #expect(names.contains("bundle/describe-pods.txt") && names.contains("bundle/logs/\(pod).log"))
    }

    @Test func onlyPodsRestartedMoreThanThreeTimesGetPreviousLogs() throws {
        let transport = MemoryTransport(responder: { argv in
            argv.first == "mkdir" || argv.first == "tar"
                ? RecordedCluster.ok(argv, "") : SupportBundleTests.responder(argv)
        })
        let result = try SupportBundleCollector(kubectl: KubectlClient(transport: transport)).collect(to: "/tmp/b")
        #expect(
            result.files.filter { $0.hasSuffix(".previous.log") } == [
                "logs/default_demo-app-0_main.previous.log", "logs/blueking_bk-auth-web-5f7c9d-2lq8x_main.previous.log",
            ])
        #expect(!result.files.contains { $0.contains("bk-mysql") }, "ready pods get no logs")
        #expect(transport.commands.last == ["tar", "-czf", "/tmp/b.tar.gz", "-C", "/tmp", "b"])
    }

    @Test func failingArchiveIsATypedError() {
        let transport = MemoryTransport(responder: { argv in
            if argv.first == "tar" {
                return CommandResult(
                    argv: argv, exitCode: 2, stdout: "", stderr: "tar: no space\n", duration: 0, timedOut: false)
            }
            return argv.first == "mkdir" ? RecordedCluster.ok(argv, "") : SupportBundleTests.responder(argv)
        })
        #expect(
            throws: CollectError.archiveFailed(
                argv: ["tar", "-czf", "/tmp/c.tar.gz", "-C", "/tmp", "c"], exitCode: 2, stderr: "tar: no space\n")
        ) {
            try SupportBundleCollector(kubectl: KubectlClient(transport: transport)).collect(to: "/tmp/c")
        }
    }

    @Test func maskerLeavesOrdinaryTextAlone() {
        #expect(SecretMasker.apply("Ready: True\nkey-value store ok") == "Ready: True\nkey-value store ok")
        #expect(
            SecretMasker.apply(#"{"password": "x1", "user": "admin"}"#) == #"{"password": "******", "user": "admin"}"#)
        #expect(SecretMasker.apply("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.abc") == "Authorization: Bearer ******")
    }
}
