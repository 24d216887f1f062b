import Foundation
import Testing

@testable import BKFix

@Suite struct DockerMirrorsCheckTests {
    typealias S = HostTestSupport

    func host(info: String, daemon: String?) -> MemoryTransport {
        let t = MemoryTransport { argv in argv == ["docker", "info"] ? S.ok(argv, info) : S.fail(argv, 127) }
        if let daemon { t.setFile("/etc/docker/daemon.json", Data(daemon.utf8)) }
        return t
    }

    @Test func passesWhenDockerInfoListsTheConfiguredMirrors() throws {
        let t = host(
            info: try Fixtures.text("host/docker/docker-info-fixed.txt"),
            daemon: "{\"registry-mirrors\": [\"http://127.0.0.1:5000\"]}")
        let result = try DockerMirrorsCheck.check(S.args("docker-mirrors"), in: S.context(t))
        #expect(result.ok)
        #expect(result.detail == "docker info lists http://127.0.0.1:5000")
    }

    @Test func failsWhenDockerStillRunsTheOldMirrors() throws {
        let t = host(
            info: try Fixtures.text("host/docker/docker-info-dead.txt"),
            daemon: "{\"registry-mirrors\": [\"http://127.0.0.1:5000\"]}")
        let result = try DockerMirrorsCheck.check(S.args("docker-mirrors"), in: S.context(t))
        #expect(!result.ok)
        #expect(result.detail.hasPrefix("docker info lacks http://127.0.0.1:5000"))
    }

    @Test func explicitMirrorsAndMissingConfigurationAreHandled() throws {
        let t = host(info: try Fixtures.text("host/docker/docker-info-dead.txt"), daemon: nil)
        let none = try DockerMirrorsCheck.check(S.args("docker-mirrors"), in: S.context(t))
        #expect(!none.ok)
        let explicit = try DockerMirrorsCheck.check(
            S.args("docker-mirrors", ["mirrors": .list([.string("https://registry.docker-cn.com/")])]), in: S.context(t)
        )
        #expect(explicit.ok)
    }
}
