import Foundation
import Testing

@testable import BKFix

@Suite struct StandInRegistryTests {
    @Test func itAnswersV2LikeAWorkingMirror() throws {
        let registry = try StandInRegistry()
        defer { registry.stop() }
        let result = MirrorProbe.probeOne(registry.url, timeout: 2, httpsFetcher: nil)
        #expect(result.verdict == .alive)
        #expect(result.status == 200)
        #expect(HTTPGet.status(of: registry.url + "/other/", timeout: 2) == .status(404))
    }

    @Test func afterStopTheMirrorIsDead() throws {
        let registry = try StandInRegistry()
        let url = registry.url
        registry.stop()
        registry.stop()
        #expect(MirrorProbe.probeOne(url, timeout: 1, httpsFetcher: nil).verdict == .dead)
    }
}
