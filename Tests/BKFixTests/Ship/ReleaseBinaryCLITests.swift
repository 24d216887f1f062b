import Foundation
import Testing

/// The release binary (`make release`: dist/bkfix, or `$BKFIX_RELEASE_BIN`), copied alone into an empty folder and
/// run with nothing but `PATH=/usr/bin:/bin`: no checkout, no toolchain, no LD_LIBRARY_PATH. CI builds it before the
/// test suite and sets BKFIX_RELEASE_BIN, so there this suite always runs; a developer without a release build sees
/// it skipped, with the reason.
@Suite(.enabled(if: ReleaseBinary.path != nil, "no release binary: run `make release` first"))
struct ReleaseBinaryCLITests {
    let alone: URL
    let bkfix: String
    let env: [String: String]

    init() throws {
        let given = try #require(ReleaseBinary.path)
        alone = try Fixtures.tempDir("bkfix-alone")
        bkfix = alone.appendingPathComponent("bin/bkfix").path
        try FileManager.default.createDirectory(
            at: alone.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: given, toPath: bkfix)
        // env -i PATH=/usr/bin:/bin, plus a HOME and TMPDIR inside the empty folder.
        env = ["PATH": "/usr/bin:/bin", "HOME": alone.path, "TMPDIR": alone.path]
    }

    func run(_ args: [String]) async throws -> ProcessOutput {
        try await ProcessHarness.run(bkfix, args, environment: env, workdir: alone.path)
    }

    @Test func theBinaryAloneAnswersListsRunsTheDemoAndNeedsNoToolchainLibrary() async throws {
        defer { try? FileManager.default.removeItem(at: alone) }
        let version = try await run(["--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.hasPrefix("bkfix 0."))
        #expect(version.stdout.contains("\ncommit: "))

        let playbooks = try await run(["playbooks"])
        #expect(playbooks.status == 0, "\(playbooks.stderr)")
        #expect(playbooks.stdout.split(separator: "\n").count == ReleaseBinary.builtInPlaybooks, "\(playbooks.stdout)")
        #expect(playbooks.stdout.contains("hub-hosts"))
        let cases = try await run(["cases"])
        #expect(cases.status == 0, "\(cases.stderr)")
        #expect(cases.stdout.split(separator: "\n").count == ReleaseBinary.builtInCases, "\(cases.stdout)")

        let demo = try await run(["demo", "--dir", alone.appendingPathComponent("demo").path])
        #expect(demo.status == 0, "\(demo.stderr)\n\(demo.stdout)")
        #expect(demo.stdout.contains("### 13. history"))

        // Outside a checkout the state repo is /var/lib/bkfix/state; history there creates nothing.
        let existed = FileManager.default.fileExists(atPath: "/var/lib/bkfix/state")
        let history = try await run(["history"])
        #expect(history.status == 0 || existed, "\(history.stderr)")
        if !existed {
            #expect(history.stdout.contains("there is no state repo at /var/lib/bkfix/state"), "\(history.stdout)")
            #expect(!FileManager.default.fileExists(atPath: "/var/lib/bkfix/state"))
        }

        let ldd = try await ProcessHarness.run("/usr/bin/ldd", [bkfix], environment: env)
        #expect(ldd.status == 0)
        for forbidden in ["swift", "Foundation", "libgit2", "not found", "libdispatch", "libicu"] {
            #expect(!ldd.stdout.contains(forbidden), "ldd lists \(forbidden):\n\(ldd.stdout)")
        }
    }
}

/// Where the release binary is: `$BKFIX_RELEASE_BIN` (which must then exist), else the checkout's dist/bkfix.
enum ReleaseBinary {
    /// How many playbooks and cases the checkout defines, so how many a binary built from it lists.
    static let builtInPlaybooks = yamlFiles("playbooks")
    static let builtInCases = yamlFiles("cases")

    private static func yamlFiles(_ folder: String) -> Int {
        let names = try? FileManager.default.contentsOfDirectory(
            atPath: Fixtures.checkout.appendingPathComponent(folder).path)
        return (names ?? []).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.count
    }

    static var path: String? {
        if let given = ProcessInfo.processInfo.environment["BKFIX_RELEASE_BIN"], !given.isEmpty { return given }
        let built = Fixtures.checkout.appendingPathComponent("dist/bkfix").path
        return FileManager.default.isExecutableFile(atPath: built) ? built : nil
    }
}
