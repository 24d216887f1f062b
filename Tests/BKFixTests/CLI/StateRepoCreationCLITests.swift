import Foundation
import Testing

/// The first use of a state repo by several bkfix processes at once (two operators, or a script and a human, on a
/// fresh machine): every one of them opens the same, complete repo instead of failing on a half-made one.
@Suite struct StateRepoCreationCLITests {
    @Test func concurrentFirstUsesOfAFreshStateRepoAllSucceed() async throws {
        for _ in 0..<5 {
            let s = try CLISandbox()
            defer { s.cleanup() }
            let results = try await withThrowingTaskGroup(of: ProcessOutput.self) { group in
                // rollback opens (creates) the repo, then finds no run to undo: exit 2, never a git error.
                for _ in 0..<4 { group.addTask { try await s.bkfix(["rollback", "--last", "--json"]) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for r in results {
                #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
                let error = try CLISandbox.json(r.stdout)["error"] as? [String: Any]
                #expect(error?["code"] as? String == "unknown-run", "\(r.stdout)")
            }
            let log = try await s.git(["config", "user.email"])
            #expect(log.stdout == "bkfix@localhost\n")
            let attrs = try FileManager.default.attributesOfItem(atPath: s.state)
            #expect(attrs[.posixPermissions] as? Int == 0o700)
        }
    }
}
