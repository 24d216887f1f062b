import Foundation
import Testing

@testable import BKFix

/// The chunk-level search: the automaton finds what a naive search finds, newlines are counted exactly, and a log
/// read in tiny chunks is diagnosed exactly like the same log read at once.
@Suite struct ChunkScanningTests {
    /// A tiny seeded generator, so a failure can be replayed.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11 | state << 53
        }
    }

    static func naiveEnds(_ text: [UInt8], _ patterns: [[UInt8]]) -> [Int] {
        var ends: [Int] = []
        for end in 1...max(1, text.count) where end <= text.count {
            for p in patterns where p.count <= end && Array(text[(end - p.count)..<end]) == p {
                ends.append(end)
            }
        }
        return ends
    }

    @Test func automatonFindsEveryOccurrenceLikeANaiveSearch() {
        var rng = Seeded(state: 42)
        let alphabet = Array("abc \n".utf8)
        for _ in 0..<200 {
            let patterns = (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                (0..<Int.random(in: 1...4, using: &rng)).map { _ in alphabet[Int.random(in: 0..<3, using: &rng)] }
            }
            let text = (0..<Int.random(in: 0...300, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            let automaton = LiteralAutomaton(patterns: patterns)
            var ends: [Int] = []
            text.withUnsafeBufferPointer { automaton.ends(in: $0, from: 0, to: $0.count, into: &ends) }
            // `ends` has one entry per state with an output, the naive search one per pattern: compare positions.
            #expect(Array(Set(ends)).sorted() == Array(Set(Self.naiveEnds(text, patterns))).sorted(), "\(patterns)")
            var each: [Int] = []
            text.withUnsafeBufferPointer { buf in
                automaton.forEachMatch(in: buf, from: 0, to: buf.count) { each.append($1) }
            }
            #expect(each.sorted() == Self.naiveEnds(text, patterns).sorted())
            var named: [String] = []
            text.withUnsafeBufferPointer { buf in
                LiteralTrie(patterns: patterns).forEachMatch(in: buf, from: 0, to: buf.count) {
                    named.append("\($0)@\($1)")
                }
            }
            var want: [String] = []
            for end in 0...text.count {
                for (index, p) in patterns.enumerated()
                where !p.isEmpty && p.count <= end && Array(text[(end - p.count)..<end]) == p {
                    want.append("\(index)@\(end)")
                }
            }
            #expect(named.sorted() == want.sorted(), "trie: \(patterns)")
        }
    }

    @Test func newlinesAreCountedExactlyAtEveryAlignment() {
        var rng = Seeded(state: 7)
        let text = (0..<1000).map { _ in Int.random(in: 0..<4, using: &rng) == 0 ? UInt8(0x0A) : UInt8(0x61) }
        text.withUnsafeBufferPointer { buf in
            for from in 0..<20 {
                for to in [from, from + 1, from + 7, from + 64, 999, 1000] where to >= from && to <= 1000 {
                    let want = text[from..<to].filter { $0 == 0x0A }.count
                    #expect(ByteSearch.newlines(in: buf, from: from, to: to) == want)
                }
            }
        }
    }

    /// The lines of a busy `helmfile --debug sync` mention helm, upgrade, wait and every release on every line: none
    /// may hold a rule's key literal, or each would be normalized and run through regexes (bench/diagnose).
    @Test func busyHelmfileLinesAreNotCandidates() {
        let releases = [
            "bk-auth", "bk-paas", "bk-repo", "bk-ci", "bk-job", "bk-cmdb", "bk-iam", "bk-ssm", "bk-gse", "bk-nodeman",
            "bk-apigateway", "bk-user", "bkmonitor-operator", "bk-elastic", "bk-redis-cluster", "bk-mysql", "bk-redis",
        ]
        let templates = [
            "helm:Ofvjv> upgrade.go:142: [debug] preparing upgrade for {rel}, will wait for its resources",
            "helm:Ofvjv> wait.go:48: [debug] beginning wait for 42 resources with timeout of 10m0s (upgrade {rel})",
            "helm:Ofvjv> ready.go:277: [debug] Deployment is not ready: blueking/{rel}-web. 0 out of 1 expected pods are ready",
            "helm:Ofvjv> ready.go:425: [debug] StatefulSet is not ready: blueking/{rel}-redis-master. 0 out of 1 expected pods",
            "+ helm upgrade --install {rel} blueking/{rel} --namespace blueking --wait --timeout 600s --version 1.0.3",
            "Upgrading release={rel}, chart=blueking/{rel}, namespace=blueking",
            #"helm:Ofvjv> Release "{rel}" has been upgraded. Happy Helming!"#,
            "2026-11-26T10:00:08.038+0800 helm upgrade {rel} --wait: still waiting for 38 resources",
            "Comparing release={rel}, chart=blueking/{rel}",
            "Listing releases matching ^{rel}$",
        ]
        let patterns = ScanPatterns(rules: Diagnoser(catalog: CatalogFixture.catalog).compiledRules())
        for release in releases {
            for template in templates {
                let line = Array(template.replacingOccurrences(of: "{rel}", with: release).utf8)
                var ends: [Int] = []
                line.withUnsafeBufferPointer { patterns.lines.ends(in: $0, from: 0, to: $0.count, into: &ends) }
                #expect(ends.isEmpty, "a rule's literal is in: \(String(decoding: line, as: UTF8.self))")
            }
        }
    }

    /// What a diagnosis says, for comparing two reads of one input.
    static func summary(_ findings: [Finding]) -> [String] {
        findings.map { f in
            "\(f.caseID) \(f.confidence) \(f.evidence.map { "\($0.line ?? 0):\($0.text)" }) \(f.params.sorted { $0.key < $1.key })"
        }
    }

    @Test(arguments: [1, 2, 7, 64, 333])
    func tinyChunksGiveTheSameDiagnosisAsOneRead(_ chunkBytes: Int) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url("diag/text").path)
            .filter { $0.hasSuffix(".log") }.sorted()
        #expect(names.count >= 40)
        for name in names {
            let path = Fixtures.url("diag/text/\(name)").path
            let whole = try Diagnoser(catalog: CatalogFixture.catalog).diagnose(path: path)
            var small = Diagnoser(catalog: CatalogFixture.catalog)
            small.chunkBytes = chunkBytes
            #expect(
                Self.summary(try small.diagnose(path: path)) == Self.summary(whole),
                "\(name) in \(chunkBytes)-byte chunks")
        }
    }

    @Test func contextIsReadBackAcrossChunksFromTheHistory() throws {
        // The release is named 25 lines before the error, in an earlier chunk than the error.
        var lines = [#"Release "bk-paas" does not exist. Installing it now."#]
        lines += (0..<25).map { "waiting for bk-paas pods (\($0))" }
        lines.append("Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress")
        let dir = try Fixtures.tempDir("chunks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("x.log")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        for chunk in [16, 100, 1 << 20] {
            var diagnoser = Diagnoser(catalog: CatalogFixture.catalog)
            diagnoser.chunkBytes = chunk
            let top = try diagnoser.diagnose(path: file.path).first
            #expect(top?.caseID == "helm-operation-in-progress")
            #expect(top?.params["release"] == "bk-paas", "chunk \(chunk)")
            #expect(top?.evidence.first?.line == 27)
        }
    }
}
