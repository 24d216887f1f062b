import Foundation
import Testing

@testable import BKFix

/// Plans that name a release, through the real binary on a full 7.0.0-style work dir (`bkce70full`), with stand-in
/// kubectl, helm and helmfile that fail loudly when called: the release's limits come from its values files.
@Suite struct ReleaseLookupCLITests {
    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        for (path, text) in try WorkDirFixture.files("bkce70full") { try s.write(path, text) }
        for tool in ["kubectl", "helm", "helmfile"] { try s.standIn(tool) }
        return s
    }

    @Test func raiseQuotaPlansFromTheDeclaringHelmfileAndTheReleasesValuesOnly() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        // Another release's values that no parser could read: a bk-elastic plan never opens it.
        try s.write("/data/bkce/blueking/environments/default/mysql-values.yaml.gotmpl", "primary: [\n  {{ oops\n")
        let plan = try await s.bkfix(["plan", "raise-quota", "-p", "release=bk-elastic", "--install-dir", "/data/bkce"])
        #expect(plan.status == 0, "\(plan.stderr)")
        for line in [
            "master: cpu 2000m → 4000m, memory 2048Mi → 4096Mi", "data: cpu 2000m → 4000m, memory 4096Mi → 8192Mi",
            "coordinating: cpu 1000m → 2000m, memory 2048Mi → 4096Mi",
            "$ helmfile -f base-storage.yaml.gotmpl -l name=bk-elastic destroy",
        ] {
            #expect(plan.stdout.contains(line), "missing \(line) in \(plan.stdout)")
        }
        #expect(s.calls.isEmpty)
    }

    @Test func resyncFindsAReleaseInsideATemplateBlock() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let plan = try await s.bkfix([
            "plan", "resync-release", "-p", "release=bk-nodeman", "--install-dir", "/data/bkce",
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("$ helmfile -f base-blueking.yaml.gotmpl -l name=bk-nodeman destroy"))
        #expect(s.calls.isEmpty)
    }

    @Test func aReleaseNoHelmfileDeclaresIsRefusedNamingTheKnownOnes() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let plan = try await s.bkfix([
            "plan", "raise-quota", "-p", "release=bk-elasticsearch", "--install-dir", "/data/bkce",
        ])
        #expect(plan.status != 0)
        #expect(plan.stderr.contains("release bk-elasticsearch is not defined in any helmfile of /data/bkce/blueking"))
        #expect(plan.stderr.contains("bk-elastic, bk-gse"))
        #expect(s.calls.isEmpty)
    }
}
