import Foundation
import Testing
import Yams

@testable import BKFix

/// The quota playbooks only use the step and verify kinds of this folder, with keys those kinds accept.
@Suite struct QuotaPlaybooksTests {
    static let playbooks = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("playbooks")

    static let kinds: [String: (required: Set<String>, optional: Set<String>)] = [
        RaiseQuotaStep.name: (RaiseQuotaStep.requiredKeys, RaiseQuotaStep.optionalKeys),
        HelmfileStep.name: (HelmfileStep.requiredKeys, HelmfileStep.optionalKeys),
        ValuesSetStep.name: (ValuesSetStep.requiredKeys, ValuesSetStep.optionalKeys),
        PodLimitsCheck.name: (PodLimitsCheck.requiredKeys, PodLimitsCheck.optionalKeys),
    ]

    @Test(arguments: ["raise-quota", "resync-release"])
    func playbookUsesKnownKindsAndKeys(_ id: String) throws {
        let text = try String(contentsOf: Self.playbooks.appendingPathComponent("\(id).yaml"), encoding: .utf8)
        let node = try #require(try Yams.compose(yaml: text))
        #expect(node["id"]?.string == id)
        #expect(node["title"]?["zh"]?.string?.isEmpty == false)
        #expect(node["title"]?["en"]?.string?.isEmpty == false)
        #expect(node["params"]?["release"]?["required"]?.bool == true)
        let steps = (node["steps"]?.sequence ?? []) + (node["verify"]?.sequence ?? [])
        #expect(!steps.isEmpty)
        for step in steps {
            let (kind, args) = try #require(step.mapping?.first)
            let name = try #require(kind.string)
            let accepted = try #require(Self.kinds[name], "unknown kind \(name)")
            let keys = Set((args.mapping ?? [:]).keys.compactMap(\.string)).subtracting(["on"])
            #expect(accepted.required.isSubset(of: keys), "\(name) misses \(accepted.required.subtracting(keys))")
            #expect(keys.isSubset(of: accepted.required.union(accepted.optional)), "\(name) has unknown keys")
        }
    }

    @Test func raiseQuotaDestroysBeforeSyncing() throws {
        let text = try String(contentsOf: Self.playbooks.appendingPathComponent("raise-quota.yaml"), encoding: .utf8)
        let steps = try #require(try Yams.compose(yaml: text)?["steps"]?.sequence)
        #expect(steps.map { $0.mapping?.first?.key.string } == ["raise-quota", "helmfile", "helmfile"])
        #expect(steps.compactMap { $0["helmfile"]?["action"]?.string } == ["destroy", "sync"])
    }
}
