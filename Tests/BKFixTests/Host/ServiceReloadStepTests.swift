import Foundation
import Testing

@testable import BKFix

@Suite struct ServiceReloadStepTests {
    typealias S = HostTestSupport

    @Test func reloadFallsBackToHUPOfTheDockerdPid() throws {
        let host = MemoryTransport(readOnly: true) { argv in
            argv == ["pidof", "dockerd"] ? S.ok(argv, "4321\n") : S.fail(argv, 127)
        }
        let plan = try ServiceReloadStep.plan(S.args("service-reload"), in: S.context(host))
        let reload = try #require(S.commandChanges(plan).first)
        #expect(reload.argv == ["systemctl", "reload", "docker"])
        #expect(reload.risk == .reversible)
        #expect(reload.fallbacks == [["kill", "-HUP", "4321"]])
        #expect(reload.undo.map(\.argv) == [["systemctl", "reload", "docker"]])
        #expect(reload.undo.first?.risk == .reversible)
        #expect(host.commands == [["pidof", "dockerd"]])
    }

    @Test func withoutAPidTheFallbackIsPkill() throws {
        let host = MemoryTransport { argv in S.fail(argv, 1) }
        let plan = try ServiceReloadStep.plan(
            S.args("service-reload", ["service": .string("docker")]), in: S.context(host))
        #expect(S.commandChanges(plan).first?.fallbacks == [["pkill", "-HUP", "-x", "dockerd"]])
    }

    @Test func otherServicesHaveNoFallback() throws {
        let host = MemoryTransport()
        let plan = try ServiceReloadStep.plan(
            S.args("service-reload", ["service": .string("containerd")]), in: S.context(host))
        let reload = try #require(S.commandChanges(plan).first)
        #expect(reload.argv == ["systemctl", "reload", "containerd"])
        #expect(reload.fallbacks.isEmpty)
        #expect(host.commands.isEmpty)
    }
}
