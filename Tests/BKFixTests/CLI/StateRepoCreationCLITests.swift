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
                // rollback opens (creates) the repo, then takes the lock and finds no run to undo: each one either
                // finds nothing to undo or meets another's lock, never a half-made repository.
                for _ in 0..<4 { group.addTask { try await s.bkfix(["rollback", "--last", "--json"]) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            var codes: [String] = []
            for r in results {
                let error = try CLISandbox.json(r.stdout)["error"] as? [String: Any]
                codes.append(error?["code"] as? String ?? "")
                #expect(r.status == 2 || r.status == 4, "\(r.stdout) \(r.stderr)")
            }
            #expect(codes.allSatisfy { $0 == "unknown-run" || $0 == "locked" }, "\(codes)")
            #expect(codes.contains("unknown-run"), "\(codes)")
            let log = try await s.git(["config", "user.email"])
            #expect(log.stdout == "bkfix@localhost\n")
            let attrs = try FileManager.default.attributesOfItem(atPath: s.state)
            #expect(attrs[.posixPermissions] as? Int == 0o700)
        }
    }
}
