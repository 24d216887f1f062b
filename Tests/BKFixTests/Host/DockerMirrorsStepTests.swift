import Foundation
import Synchronization
import Testing

@testable import BKFix

/// A fake docker host: curl answers for the https mirrors, `docker info` output that the test can change.
final class FakeDockerHost: Sendable {
    let dockerInfo: Mutex<String>
    let unit: String

    init(dockerInfo: String, unit: String) {
        self.dockerInfo = Mutex(dockerInfo)
        self.unit = unit
    }

    func transport(readOnly: Bool = false) -> MemoryTransport {
        MemoryTransport(readOnly: readOnly) { [self] argv in
            switch argv.first {
            case "curl":
                switch argv.last {
                case "https://docker.mirrors.ustc.edu.cn/v2/": return HostTestSupport.ok(argv, "403")
                case "https://registry.docker-cn.com/v2/": return HostTestSupport.fail(argv, 28)
                default: return HostTestSupport.fail(argv, 6)
                }
            case "systemctl" where argv == ["systemctl", "cat", "docker"]: return HostTestSupport.ok(argv, unit)
            case "docker" where argv == ["docker", "info"]: return HostTestSupport.ok(argv, dockerInfo.withLock { $0 })
            default: return HostTestSupport.fail(argv, 127, stderr: "unexpected \(argv)")
            }
        }
    }
}

@Suite struct DockerMirrorsStepTests {
    typealias S = HostTestSupport
    static let readOnlyCommands: Set<String> = ["curl", "systemctl cat docker", "docker info"]

    func setup(_ server: LocalHTTPServer, readOnly: Bool = false) throws -> (FakeDockerHost, MemoryTransport) {
        let info = try Fixtures.text("host/docker/docker-info-dead.txt")
        let fake = FakeDockerHost(dockerInfo: info, unit: try Fixtures.text("host/docker/systemctl-cat-docker.txt"))
        let host = fake.transport(readOnly: readOnly)
        host.setFile("/etc/docker/daemon.json", try Fixtures.data("host/docker/daemon-dead.json"))
        return (fake, host)
    }

    func args(_ server: LocalHTTPServer) -> StepArgs {
        S.args(
            "docker-mirrors",
            [
                "candidates": .list([.string(server.mirror("403")), .string(server.mirror("200"))]),
                "timeout": .string("1"),
            ])
    }

    @Test func deadMirrorsAreReplacedByTheWorkingCandidateWithoutSideEffects() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let (_, host) = try setup(server, readOnly: true)
        let plan = try DockerMirrorsStep.plan(args(server), in: S.context(host))

        let file = try #require(S.fileChanges(plan).first)
        let expected = try Fixtures.text("host/docker/daemon-dead.json").replacingOccurrences(
            of: #"["https://docker.mirrors.ustc.edu.cn", "https://registry.docker-cn.com"]"#,
            with: "[\"\(server.mirror("200"))\"]")
        #expect(String(decoding: file.after ?? Data(), as: UTF8.self) == expected)

        let reload = try #require(S.commandChanges(plan).first)
        #expect(reload.argv == ["systemctl", "reload", "docker"])
        #expect(reload.fallbacks == ServiceReloadStep.fallbacks(service: "docker"))

        #expect(plan.notes.count >= 5)
        #expect(plan.notes[0].hasPrefix("mirror"))
        #expect(plan.notes[1].contains("https://docker.mirrors.ustc.edu.cn") && plan.notes[1].contains("HTTP 403"))
        #expect(plan.notes[2].contains("https://registry.docker-cn.com") && plan.notes[2].contains("timeout"))
        #expect(plan.notes[4].contains(server.mirror("200")) && plan.notes[4].contains("alive"))
        #expect(plan.notes.contains { $0.hasPrefix("removing dead mirrors: https://docker.mirrors.ustc.edu.cn") })

        #expect(host.writes.isEmpty)
        for argv in host.commands {
            #expect(Self.readOnlyCommands.contains(argv[0] == "curl" ? "curl" : argv.joined(separator: " ")))
        }
    }

    @Test func noWorkingMirrorChangesNothingAndSaysSo() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let (_, host) = try setup(server, readOnly: true)
        let onlyDead = S.args(
            "docker-mirrors",
            [
                "candidates": .list([.string(server.mirror("403")), .string(server.mirror("404"))]),
                "timeout": .string("1"),
            ])
        do {
            _ = try DockerMirrorsStep.plan(onlyDead, in: S.context(host))
            Issue.record("expected noMirrorAnswered")
        } catch let error as DockerMirrorError {
            guard case .noMirrorAnswered(let table) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(table.count == 5)
            #expect(error.localizedDescription.hasPrefix("no mirror answered"))
        }
        #expect(host.writes.isEmpty)
    }

    @Test func aRegistryMirrorFlagOnDockerdIsReportedAsAConflict() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let fake = FakeDockerHost(
            dockerInfo: try Fixtures.text("host/docker/docker-info-dead.txt"),
            unit: try Fixtures.text("host/docker/systemctl-cat-docker-flag.txt"))
        let host = fake.transport(readOnly: true)
        host.setFile("/etc/docker/daemon.json", try Fixtures.data("host/docker/daemon-dead.json"))
        #expect(
            throws: DockerMirrorError.flagConflict(
                unitFile: "/etc/systemd/system/docker.service.d/mirror.conf", line: 3,
                text:
                    "ExecStart=/usr/bin/dockerd -H fd:// \\\n    --registry-mirror=https://docker.mirrors.ustc.edu.cn \\\n    --containerd=/run/containerd/containerd.sock",
                daemonJSON: "/etc/docker/daemon.json")
        ) {
            try DockerMirrorsStep.plan(args(server), in: S.context(host))
        }
        #expect(!host.commands.contains { $0.first == "curl" })
    }

    @Test func theConflictMessageNamesTheUnitLineAndDaemonJSON() {
        let message = DockerMirrorError.flagConflict(
            unitFile: "/etc/systemd/system/docker.service.d/mirror.conf", line: 3,
            text: "ExecStart=/usr/bin/dockerd --registry-mirror=x",
            daemonJSON: "/etc/docker/daemon.json"
        ).localizedDescription
        #expect(message.hasPrefix("/etc/systemd/system/docker.service.d/mirror.conf:3: "))
        #expect(message.contains("/etc/docker/daemon.json"))
        #expect(message.contains("refuses to start"))
    }

    @Test func reapplyAfterTheFixPlansNothing() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let (fake, host) = try setup(server)
        let plan = try DockerMirrorsStep.plan(args(server), in: S.context(host))
        try S.apply(plan, to: host)
        fake.dockerInfo.withLock {
            $0 = try! Fixtures.text("host/docker/docker-info-fixed.txt").replacingOccurrences(
                of: "http://127.0.0.1:5000/", with: server.mirror("200") + "/")
        }
        let again = try DockerMirrorsStep.plan(args(server), in: S.context(host))
        #expect(again.changes.isEmpty)
        #expect(again.notes.last == "registry-mirrors already lists the working mirrors")
    }

    @Test func anUnchangedFileStillReloadsWhenDockerRunsOtherMirrors() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let (_, host) = try setup(server)
        host.setFile("/etc/docker/daemon.json", Data("{\"registry-mirrors\": [\"\(server.mirror("200"))\"]}\n".utf8))
        let plan = try DockerMirrorsStep.plan(args(server), in: S.context(host))
        #expect(S.fileChanges(plan).isEmpty)
        #expect(S.commandChanges(plan).map(\.argv) == [["systemctl", "reload", "docker"]])
    }

    @Test func aMissingDaemonJSONIsCreated() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let (_, host) = try setup(server)
        try host.remove("/etc/docker/daemon.json")
        let plan = try DockerMirrorsStep.plan(args(server), in: S.context(host))
        let file = try #require(S.fileChanges(plan).first)
        #expect(file.operation == .create)
        #expect(file.afterMeta?.mode == 0o644)
        #expect(
            String(decoding: file.after ?? Data(), as: UTF8.self)
                == "{\n  \"registry-mirrors\": [\n    \"\(server.mirror("200"))\"\n  ]\n}\n")
    }

    @Test func anInvalidDaemonJSONIsRefusedBeforeProbing() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let (_, host) = try setup(server)
        host.setFile("/etc/docker/daemon.json", try Fixtures.data("host/daemon/comment.json"))
        #expect(throws: JSONSpliceError.self) { try DockerMirrorsStep.plan(args(server), in: S.context(host)) }
        #expect(host.commands.isEmpty)
        #expect(server.requests.isEmpty)
    }

    @Test func unitFlagsAreReadFromSystemctlCat() throws {
        let flagged = DockerdUnitFlags.registryMirrorFlags(
            inSystemctlCat: try Fixtures.text("host/docker/systemctl-cat-docker-flag.txt"))
        #expect(flagged.map(\.mirrors) == [["https://docker.mirrors.ustc.edu.cn"]])
        #expect(
            DockerdUnitFlags.registryMirrorFlags(
                inSystemctlCat: try Fixtures.text("host/docker/systemctl-cat-docker.txt")
            )
            .isEmpty)
        let spaced = DockerdUnitFlags.registryMirrorFlags(
            inSystemctlCat:
                "# /x.service\n[Service]\nExecStart=/usr/bin/dockerd --registry-mirror https://a --registry-mirror=\"https://b\"\n"
        )
        #expect(spaced.first?.mirrors == ["https://a", "https://b"])
        #expect(spaced.first?.line == 2)
    }

    @Test func dockerInfoMirrorsAreParsed() throws {
        #expect(
            DockerInfoMirrors.parse(try Fixtures.text("host/docker/docker-info-dead.txt"))
                == ["https://docker.mirrors.ustc.edu.cn", "https://registry.docker-cn.com"])
        #expect(DockerInfoMirrors.parse("Server:\n Registry: https://index.docker.io/v1/\n").isEmpty)
    }
}
