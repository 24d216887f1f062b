import Foundation
import Testing

@testable import BKFix

@Suite struct ServiceReloadStepTests {
    typealias S = HostTestSupport

    @Test func dockerReloadIsReversibleAndItsUndoReloadsAgainWithTheSameFallbacks() throws {
        let host = MemoryTransport(readOnly: true)
        let plan = try ServiceReloadStep.plan(
            S.args("service-reload", ["service": .string("docker")]), in: S.context(host))
        let reload = try #require(S.commandChanges(plan).first)
        #expect(reload.argv == ["systemctl", "reload", "docker"])
        #expect(reload.risk == .reversible)
        #expect(reload.fallbacks.last == ["pkill", "-HUP", "-x", "dockerd"])
        #expect(reload.undo.map(\.argv) == [["systemctl", "reload", "docker"]])
        #expect(reload.undo.first?.risk == .reversible)
        #expect(host.commands.isEmpty)
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
