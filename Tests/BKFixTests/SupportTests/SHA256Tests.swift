import Foundation
import Testing

@testable import BKFix

@Suite struct SHA256Tests {
    @Test func nistShortVectors() {
        #expect(SHA256.hex(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Data("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex(
                Data(
                    ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                        + "mnopqrstnopqrstu").utf8))
                == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    @Test func nistMillionA() {
        let data = Data(repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(data) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func digestIsThirtyTwoBytesMatchingHex() {
        let digest = SHA256.digest(Data("abc".utf8))
        #expect(digest.count == 32)
        #expect(digest.map { String(format: "%02x", $0) }.joined() == SHA256.hex(Data("abc".utf8)))
    }

    @Test func matchesSha256sumOnEveryLengthAcrossBlockBoundaries() throws {
        let dir = try Fixtures.tempDir("sha")
        defer { try? FileManager.default.removeItem(at: dir) }
        var generator = SystemRandomNumberGenerator()
        var files: [(URL, Data)] = []
        for length in 0...300 {
            let data = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let url = dir.appendingPathComponent("f\(length)")
            try data.write(to: url)
            files.append((url, data))
        }
        let result = try ProcessRunner.run(
            ["/usr/bin/sha256sum"] + files.map { $0.0.path }, workdir: nil, environment: [:], timeout: 60,
            output: nil)
        #expect(result.exitCode == 0)
        let expected = result.stdout.split(separator: "\n").map { String($0.prefix(64)) }
        #expect(expected.count == files.count)
        for (index, file) in files.enumerated() where index < expected.count {
            #expect(SHA256.hex(file.1) == expected[index], "length \(file.1.count)")
        }
    }

    /// A buffer larger than any block-sized edge case, checked against sha256sum (speed is the benchmark's business).
    @Test func fiftyMegabytesHashLikeSha256sum() throws {
        let data = Data(repeating: 0x5a, count: 50 << 20)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try data.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try ProcessRunner.run(
            ["sha256sum", file.path], workdir: nil, environment: ProcessInfo.processInfo.environment, timeout: 120,
            output: nil)
        #expect(result.exitCode == 0)
        #expect(SHA256.hex(data) == String(result.stdout.prefix(64)))
    }
}
