import Foundation
import Testing

/// Bad input and tampering found by using bkfix as an operator would: each ends in a clear message naming the file,
/// the right exit code, and nothing lost.
@Suite struct OperatorHuntCLITests {
    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        return s
    }

    /// A playbook folder with one playbook.
    func playbooks(_ s: CLISandbox, _ id: String, _ yaml: String) throws -> String {
        let dir = s.dir.appendingPathComponent("playbooks").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try yaml.write(toFile: dir + "/\(id).yaml", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func aHugeMalformedHostsLineIsQuotedShortNotInFull() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\n" + String(repeating: "x", count: 200_000) + "\n")
        let r = try await s.bkfix(["plan", "hub-hosts"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/etc/hosts line 2"), "\(r.stderr.prefix(300))")
        #expect(r.stderr.utf8.count < 1_000, "stderr has \(r.stderr.utf8.count) bytes")
    }
}
