import Foundation
import Synchronization
import Testing

@testable import BKFix

/// The cluster pseudo-host without the binary: what a read records, what a write sends, what it refuses.
@Suite struct ClusterTransportTests {
    static let path = "/ingress-nginx/configmap/ingress-nginx-controller.yaml"
    static let get = [
        "kubectl", "--context", "ctx", "get", "configmap", "ingress-nginx-controller", "-n", "ingress-nginx", "-o",
        "json",
    ]

    /// A control machine whose kubectl prints `object` for the get, records every patch, and answers patches with
    /// `patchAnswer`.
    final class FakeCluster: Sendable {
        let object: Mutex<String>
        let patches = Mutex<[[String]]>([])
        let patchAnswer: CommandResult?

        init(_ fixture: String, patchAnswer: CommandResult? = nil) throws {
            object = Mutex(try Fixtures.text("cluster/\(fixture)"))
            self.patchAnswer = patchAnswer
        }

        var transport: MemoryTransport {
            MemoryTransport { [self] argv in
                if argv == ClusterTransportTests.get {
                    return CommandResult(
                        argv: argv, exitCode: 0, stdout: object.withLock { $0 }, stderr: "", duration: 0,
                        timedOut: false)
                }
                if argv.count > 3, argv[3] == "patch" {
                    patches.withLock { $0.append(argv) }
                    return patchAnswer
                        ?? CommandResult(
                            argv: argv, exitCode: 0, stdout: "patched\n", stderr: "", duration: 0, timedOut: false)
                }
                return CommandResult(
                    argv: argv, exitCode: 97, stdout: "", stderr: "unexpected \(argv)", duration: 0, timedOut: false)
            }
        }
    }

    @Test func aReadLeavesOutWhatTheServerManages() throws {
        let fake = try FakeCluster("ingress-configmap.json")
        let t = ClusterTransport(context: "ctx", control: fake.transport)
        let text = String(decoding: try #require(try t.read(Self.path)).data, as: UTF8.self)
        for field in ["resourceVersion", "uid", "creationTimestamp", "managedFields", "status:"] {
            #expect(!text.contains(field), "\(field)")
        }
        #expect(text.contains("  allow-snippet-annotations: \"false\"\n"))
        #expect(t.host == "cluster:ctx")
    }

    @Test func aWriteSendsOnlyTheChangedFieldsWithTheResourceVersion() throws {
        let fake = try FakeCluster("ingress-configmap.json")
        let t = ClusterTransport(context: "ctx", control: fake.transport)
        let before = try #require(try t.read(Self.path))
        let after = String(decoding: before.data, as: UTF8.self).replacingOccurrences(of: "\"false\"", with: "\"true\"")
        try t.write(Self.path, data: Data(after.utf8), meta: ClusterTransport.meta)
        #expect(
            fake.patches.withLock { $0 } == [
                [
                    "kubectl", "--context", "ctx", "patch", "configmap", "ingress-nginx-controller", "-n",
                    "ingress-nginx", "--type", "merge", "-p",
                    #"{"data":{"allow-snippet-annotations":"true"},"metadata":{"resourceVersion":"1804"}}"#,
                ]
            ])
    }

    @Test func anObjectEditedSinceItWasReadIsNotPatched() throws {
        let fake = try FakeCluster("ingress-configmap.json")
        let t = ClusterTransport(context: "ctx", control: fake.transport)
        let before = try #require(try t.read(Self.path))
        fake.object.withLock { $0 = try! Fixtures.text("cluster/ingress-configmap-edited.json") }
        #expect(throws: ClusterTransportError.changedWhileApplying(host: "cluster:ctx", path: Self.path)) {
            try t.write(Self.path, data: before.data, meta: ClusterTransport.meta)
        }
        #expect(fake.patches.withLock { $0 }.isEmpty)
    }

    @Test func aConflictFromTheAPIServerIsItsOwnError() throws {
        let conflict = CommandResult(
            argv: [], exitCode: 1, stdout: "",
            stderr:
                "Error from server (Conflict): Operation cannot be fulfilled on configmaps \"x\": the object has been modified",
            duration: 0, timedOut: false)
        let fake = try FakeCluster("ingress-configmap.json", patchAnswer: conflict)
        let t = ClusterTransport(context: "ctx", control: fake.transport)
        let before = String(decoding: try #require(try t.read(Self.path)).data, as: UTF8.self)
        #expect(throws: ClusterTransportError.self) {
            try t.write(
                Self.path, data: Data(before.replacingOccurrences(of: "\"false\"", with: "\"true\"").utf8),
                meta: ClusterTransport.meta)
        }
    }

    @Test func deletingRenamingAndSecretsAreRefused() throws {
        let fake = try FakeCluster("ingress-configmap.json")
        let t = ClusterTransport(context: "ctx", control: fake.transport)
        #expect(throws: ClusterTransportError.unsupported(host: "cluster:ctx", path: Self.path, operation: "delete")) {
            try t.remove(Self.path)
        }
        #expect(throws: ClusterTransportError.secretRefused(kind: "secret")) { try t.read("/blueking/secret/x.yaml") }
        let renamed = String(decoding: try #require(try t.read(Self.path)).data, as: UTF8.self)
            .replacingOccurrences(of: "name: ingress-nginx-controller", with: "name: other")
        #expect(throws: ClusterTransportError.self) {
            try t.write(Self.path, data: Data(renamed.utf8), meta: ClusterTransport.meta)
        }
    }

    @Test func helmStatusKeepsNeitherValuesNorManifests() throws {
        let status = try KubeValue.parse(json: try Fixtures.text("cluster/helm-status-deployed.json"), what: "t")
        let kept = CanonicalYAML.render(ClusterTransport.releaseStatus(status))
        #expect(kept.contains("  status: deployed\n"))
        #expect(kept.contains("version: 5\n"))
        for secret in ["S3cr3t", "password", "manifest", "config", "templates", "notes"] {
            #expect(!kept.contains(secret), "\(secret)")
        }
    }
}
