import Foundation
import Testing

@testable import BKFix

@Suite struct MirrorProbeTests {
    @Test func status200And401AreAliveAnd403And404AreDead() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let mirrors = ["200", "401", "403", "404"].map(server.mirror)
        let results = MirrorProbe.probe(mirrors, timeout: 2, httpsFetcher: nil)
        #expect(results.map(\.verdict) == [.alive, .alive, .dead, .dead])
        #expect(results.map(\.status) == [200, 401, 403, 404])
        #expect(results.map(\.mirror) == mirrors)
    }

    @Test func theProbeRequestsV2UnderTheMirrorPath() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        _ = MirrorProbe.probeOne(server.mirror("200") + "/", timeout: 2, httpsFetcher: nil)
        #expect(server.requests == ["GET /200/v2/ HTTP/1.1"])
    }

    @Test func aHangingMirrorIsDeadAfterTheTimeout() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let result = MirrorProbe.probeOne(server.mirror("hang"), timeout: 0.5, httpsFetcher: nil)
        #expect(result.verdict == .dead)
        #expect(result.detail == "timeout after 0.5 s")
        // The hanging mirror holds the connection for 10 s: well under that means the probe gave up on time.
        #expect(result.elapsed < 6)
    }

    @Test func aRefusedConnectionIsDead() {
        let result = MirrorProbe.probeOne(
            "http://127.0.0.1:\(LocalHTTPServer.closedPort())", timeout: 1, httpsFetcher: nil)
        #expect(result.verdict == .dead)
        #expect(result.detail == "connection refused")
    }

    @Test func fiveMirrorsWithOneHangingFinishWithinTheTimeoutPlusAMargin() throws {
        let server = try LocalHTTPServer()
        defer { server.stop() }
        let mirrors = [
            server.mirror("200"), server.mirror("hang"), server.mirror("401"), server.mirror("403"),
            "http://127.0.0.1:\(LocalHTTPServer.closedPort())",
        ]
        let timeout = 1.0
        let start = Date()
        let results = MirrorProbe.probe(mirrors, timeout: timeout, httpsFetcher: nil)
        let elapsed = Date().timeIntervalSince(start)
        // Each probe gives up after the timeout; the hanging one would otherwise hold them all for 10 s.
        #expect(elapsed < 6, "the hanging mirror held the probes for \(elapsed) s")
        #expect(results.map(\.verdict) == [.alive, .dead, .alive, .dead, .dead])
        #expect(results[1].detail.hasPrefix("timeout"))
    }

    @Test func theTableListsEveryMirrorWithItsVerdict() {
        let results = [
            MirrorProbeResult(
                mirror: "http://127.0.0.1:5000", verdict: .alive, status: 200, detail: "HTTP 200", elapsed: 0.003),
            MirrorProbeResult(
                mirror: "https://docker.mirrors.ustc.edu.cn", verdict: .dead, status: 403, detail: "HTTP 403",
                elapsed: 0.12),
            MirrorProbeResult(
                mirror: "https://registry.docker-cn.com", verdict: .dead, status: nil, detail: "timeout after 3.0 s",
                elapsed: 3),
        ]
        let table = MirrorProbe.table(results, language: .en)
        #expect(
            table == [
                "mirror                              result  detail               time",
                "http://127.0.0.1:5000               alive   HTTP 200             3 ms",
                "https://docker.mirrors.ustc.edu.cn  dead    HTTP 403             120 ms",
                "https://registry.docker-cn.com      dead    timeout after 3.0 s  3000 ms",
            ])
        let zh = MirrorProbe.table(results, language: .zh)
        #expect(zh[0].hasPrefix("镜像源"))
        #expect(zh[1].contains("可用"))
        #expect(zh[2].contains("不可用"))
    }

    @Test func httpsGoesThroughTheFetcherAndWithoutOneIsUnknown() {
        let unknown = MirrorProbe.probeOne("https://hub-mirror.c.163.com", timeout: 1, httpsFetcher: nil)
        #expect(unknown.verdict == .unknown)
        #expect(unknown.detail == "cannot probe https without curl")
        let alive = MirrorProbe.probeOne("hub-mirror.c.163.com", timeout: 1) { url, _ in
            url == "https://hub-mirror.c.163.com/v2/" ? .status(401) : .failed("wrong url \(url)")
        }
        #expect(alive.verdict == .alive)
    }

    @Test func curlFetcherMapsExitCodesAndStatus() {
        let host = MemoryTransport { argv in
            switch argv.last {
            case "https://ok.example/v2/": return HostTestSupport.ok(argv, "401")
            case "https://forbidden.example/v2/": return HostTestSupport.ok(argv, "403")
            case "https://slow.example/v2/": return HostTestSupport.fail(argv, 28)
            case "https://refused.example/v2/": return HostTestSupport.fail(argv, 7)
            default: return HostTestSupport.fail(argv, 127)
            }
        }
        let fetch = MirrorProbe.curlFetcher(host)
        #expect(fetch("https://ok.example/v2/", 3) == .status(401))
        #expect(fetch("https://forbidden.example/v2/", 3) == .status(403))
        #expect(fetch("https://slow.example/v2/", 3) == .failed("timeout after 3.0 s"))
        #expect(fetch("https://refused.example/v2/", 3) == .failed("connection refused"))
        #expect(fetch("https://other.example/v2/", 3) == .unavailable("cannot probe https: curl not found"))
        #expect(host.commands.first?.prefix(6) == ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}"])
    }

    @Test func mirrorsAreNormalized() {
        #expect(MirrorProbe.normalize("hub-mirror.c.163.com/") == "https://hub-mirror.c.163.com")
        #expect(MirrorProbe.normalize(" http://127.0.0.1:5000// ") == "http://127.0.0.1:5000")
    }
}
