import Foundation
import Testing
import Yams

@testable import BKFix

/// The four host playbooks only use the step and verify kinds of this part, with arguments those kinds accept,
/// and carry zh and en texts. (End-to-end runs through the CLI live with the engine's tests.)
@Suite struct HostPlaybooksTests {
    static let playbooks = ["docker-mirror", "fix-path", "helm-upgrade", "localpv-sync"]
    static let steps: [any StepKind.Type] = [
        JSONSetStep.self, DockerMirrorsStep.self, ServiceReloadStep.self, FileInstallStep.self, HelmUpgradeStep.self,
        ProfilePathStep.self, LocalPVSyncStep.self,
    ]
    static let checks: [any VerifyKind.Type] = [
        DockerMirrorsCheck.self, DefaultStorageClassCheck.self, HelmVersionCheck.self, PathContainsCheck.self,
    ]

    static func load(_ id: String) throws -> [String: Any] {
        let url = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("playbooks/\(id).yaml")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try #require(try Yams.load(yaml: text) as? [String: Any])
    }

    @Test(arguments: playbooks)
    func playbookHasIdAndBilingualTexts(_ id: String) throws {
        let book = try Self.load(id)
        #expect(book["id"] as? String == id)
        for key in ["title", "description", "confirm"] {
            let text = try #require(book[key] as? [String: Any], "\(id): \(key)")
            #expect((text["zh"] as? String)?.isEmpty == false, "\(id): \(key).zh")
            #expect((text["en"] as? String)?.isEmpty == false, "\(id): \(key).en")
        }
        let params = book["params"] as? [String: Any] ?? [:]
        for (name, spec) in params {
            let description = (spec as? [String: Any])?["description"] as? [String: Any]
            #expect(description?["zh"] != nil && description?["en"] != nil, "\(id): param \(name) needs zh and en")
        }
    }

    @Test(arguments: playbooks)
    func stepsAndChecksUseKnownKindsWithAcceptedArguments(_ id: String) throws {
        let book = try Self.load(id)
        let steps = try #require(book["steps"] as? [[String: Any]])
        let verify = try #require(book["verify"] as? [[String: Any]])
        #expect(!steps.isEmpty && !verify.isEmpty)
        for step in steps {
            let (kind, args) = try #require(step.first)
            let type = try #require(Self.steps.first { $0.name == kind }, "\(id): unknown step \(kind)")
            let keys = Set(((args as? [String: Any]) ?? [:]).keys).subtracting(["on"])
            #expect(keys.isSubset(of: type.requiredKeys.union(type.optionalKeys)), "\(id): \(kind) args \(keys)")
            #expect(type.requiredKeys.isSubset(of: keys))
        }
        for check in verify {
            let (kind, args) = try #require(check.first)
            let type = try #require(Self.checks.first { $0.name == kind }, "\(id): unknown check \(kind)")
            let keys = Set(((args as? [String: Any]) ?? [:]).keys).subtracting(["on"])
            #expect(keys.isSubset(of: type.requiredKeys.union(type.optionalKeys)), "\(id): \(kind) args \(keys)")
        }
    }

    @Test func templatedParamsAreDeclared() throws {
        for id in Self.playbooks {
            let book = try Self.load(id)
            let declared = Set((book["params"] as? [String: Any] ?? [:]).keys).union(["installDir", "workDir"])
            let text = "\(book["steps"] ?? "") \(book["verify"] ?? "")"
            let regex = try NSRegularExpression(pattern: #"\{\{\s*([A-Za-z0-9_-]+)\s*\}\}"#)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let name = (text as NSString).substring(with: match.range(at: 1))
                #expect(declared.contains(name), "\(id): {{\(name)}} is not a param")
            }
        }
    }

    @Test func kindNamesAreUnique() {
        #expect(Set(Self.steps.map { $0.name }).count == Self.steps.count)
        #expect(Set(Self.checks.map { $0.name }).count == Self.checks.count)
    }
}
