import Foundation
import Testing

@testable import BKFix

/// The playbooks and cases compiled into bkfix are exactly the files of `playbooks/` and `cases/`: same names, same
/// bytes (the build regenerates the embedded copy from them every time; this proves it did).
@Suite struct EmbeddedDefinitionsTests {
    static let rebuild = "run `swift build` (the EmbedDefinitions plugin runs scripts/embed.sh) and test again"

    func files(_ folder: String) throws -> [String: Data] {
        let dir = Fixtures.checkout.appendingPathComponent(folder)
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path)
        where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
        }
        return out
    }

    @Test(arguments: ["playbooks", "cases"])
    func theEmbeddedCopyEqualsTheFiles(folder: String) throws {
        let embedded = folder == "playbooks" ? EmbeddedDefinitions.playbooks : EmbeddedDefinitions.cases
        let onDisk = try files(folder)
        #expect(Set(embedded.map(\.name)) == Set(onDisk.keys), "\(folder)/ and the binary differ: \(Self.rebuild)")
        for file in embedded {
            #expect(file.embedded == onDisk[file.name], "\(folder)/\(file.name) differs: \(Self.rebuild)")
            #expect(file.location == "builtin:\(folder)/\(file.name)")
            #expect(file.origin == .builtIn)
        }
    }

    @Test func everyBuiltInPlaybookAndCaseLoads() throws {
        let playbooks = try PlaybookLibrary(given: [], root: "/nonexistent-root").list()
        #expect(playbooks.count == (try files("playbooks").count))
        #expect(playbooks.count >= 8)
        #expect(playbooks.allSatisfy { $0.playbook != nil && $0.issues.isEmpty && $0.entry.file.origin == .builtIn })
        let cases = try CaseLibrary(given: [], root: "/nonexistent-root").catalog()
        #expect(cases.cases.count == (try files("cases").count))
        #expect(cases.cases.count >= 26)
        #expect(cases.cases.allSatisfy { $0.source.hasPrefix("builtin:cases/") })
    }

    @Test func theBuildStampNamesTheDependenciesPinnedInPackageSwift() throws {
        let manifest = try String(
            contentsOf: Fixtures.checkout.appendingPathComponent("Package.swift"), encoding: .utf8)
        #expect(!manifest.contains("from:"), "every dependency is pinned with exact:")
        for dependency in BuildInfo.dependencies {
            #expect(manifest.contains("/\(dependency.name)\", exact: \"\(dependency.version)\""))
        }
        #expect(BuildInfo.dependencies.map(\.name) == ["swift-argument-parser", "Yams"])
    }
}
