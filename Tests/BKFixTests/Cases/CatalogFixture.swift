import Foundation
import Testing

@testable import BKFix

/// The repository's own `cases/` catalogue, loaded once for the diagnosis tests (immutable, so safe to share).
enum CatalogFixture {
    static let casesDirectory = Fixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("cases")

    static let catalog: CaseCatalog = {
        do {
            return try CaseCatalog.load(directory: casesDirectory)
        } catch {
            fatalError("cases/ does not load: \(error.localizedDescription)")
        }
    }()

    /// The SPEC §4 minimum: every one must be recognised from text.
    static let specCaseIDs = [
        "nsenter-image-pull", "helmfile-not-found", "chart-download-failed", "release-timeout", "pod-start-timeout",
        "pod-pending", "pod-crashloop", "image-pull-slow", "image-not-found", "helm-too-old", "docker-mirror-dead",
        "kubelet-unreachable", "pv-no-space", "pod-wait-scheduling", "pvc-unbound", "no-storage-class",
    ]

    static let knownPlaybooks: Set<String> = [
        "hub-hosts", "fix-path", "raise-quota", "resync-release", "docker-mirror", "localpv-sync", "helm-upgrade",
        "open-kubelet-port", "time-sync", "enable-ipv6", "localpv-space", "restart-pods", "helm-unstick",
        "helm-reinstall",
        "reset-release-data", "set-value", "ingress-allow-snippets",
    ]

    /// Playbooks SPEC §5 names as next: a case may point to one before it exists (diagnose says "no playbook yet"
    /// and `fix` does not offer it), so that `fix` runs it with the derived params as soon as it is added.
    static let plannedPlaybooks: Set<String> = [
        "helm-unstick", "helm-reinstall", "reset-release-data", "set-value", "ingress-allow-snippets", "time-sync",
        "enable-ipv6", "localpv-space", "restart-pods",
    ]
}

/// One entry of an `expected.json` that maps fixture file names to what diagnosing them must give.
protocol FileExpectation: Decodable, Sendable, CustomTestStringConvertible {
    var file: String { get set }
}

extension FileExpectation {
    var testDescription: String { file }

    /// Every entry of the file, sorted by fixture name, each knowing its fixture.
    static func loadAll(_ path: String) -> [Self] {
        let map = try! JSONDecoder().decode([String: Self].self, from: try! Fixtures.data(path))
        return map.keys.sorted().map { name in
            var expectation = map[name]!
            expectation.file = name
            return expectation
        }
    }
}
