import Foundation
import Testing

@testable import BKFix

/// set-value through the binary: any key of a release's custom-values file, typed, the file created when missing,
/// re-synced only when asked and only when it changed.
@Suite struct SetValueCLITests {
    static let custom = "/data/bkce/blueking/environments/default/bkci/bkci-custom-values.yaml.gotmpl"
    static let sync = "helmfile -f 03-bkci.yaml.gotmpl -l name=bk-ci sync"
    static let bkci = [
        "-p", "release=bk-ci", "-p", "key=config.bkCiApiTokenExpiredMillisecond", "-p", "value=86400000",
        "-p", "type=string",
    ]

    func sandbox() throws -> ClusterSandbox {
        let c = try ClusterSandbox()
        try c.sandbox.scriptedStandIn(
            "helmfile", [("-f 03-bkci.yaml.gotmpl -l name=bk-ci sync", StandInAnswer(stdout: "UPDATED RELEASES:\n"))])
        return c
    }

    @Test func theBkciCaseWritesAQuotedStringInANewCustomValuesFile() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let plan = try await c.bkfix(["plan", "set-value"] + Self.bkci)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("config.bkCiApiTokenExpiredMillisecond: (unset) → \"86400000\""), "\(plan.stdout)")
        #expect(c.sandbox.read(Self.custom) == nil)
        let out = try await c.bkfix(["apply", "set-value", "--yes", "--json"] + Self.bkci)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(c.sandbox.readText(Self.custom) == "config:\n  bkCiApiTokenExpiredMillisecond: \"86400000\"\n")
        let verify = try #require((try CLISandbox.json(out.stdout)["verify"] as? [[String: Any]])?.first)
        #expect(verify["ok"] as? Bool == true, "\(verify)")
        #expect(c.calls.isEmpty, "no re-sync unless asked: \(c.calls)")
        let again = try await c.bkfix(["apply", "set-value", "--yes"] + Self.bkci)
        #expect(again.stdout.contains("no changes"))
        let id = try #require(try CLISandbox.json(out.stdout)["run"] as? String)
        #expect(try await c.bkfix(["rollback", id, "--yes"]).status == 0)
        #expect(c.sandbox.read(Self.custom) == nil)
    }

    @Test func aPlainNumberBecomesAQuotedStringInPlaceKeepingEveryOtherByte() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let original = "# set by hand\nconfig:\n  bkCiApiTokenExpiredMillisecond: 86400000   # ms\n  other: 1\n"
        try c.sandbox.write(Self.custom, original)
        #expect(try await c.bkfix(["apply", "set-value", "--yes"] + Self.bkci).status == 0)
        #expect(
            c.sandbox.readText(Self.custom)
                == original.replacingOccurrences(of: ": 86400000", with: ": \"86400000\""))
    }

    @Test func resyncSyncsTheReleaseOnlyWhenTheFileChanged() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let out = try await c.bkfix(["apply", "set-value", "--yes", "--json", "-p", "resync=true"] + Self.bkci)
        #expect(out.status == 0, "\(out.stderr)")
        #expect(c.calls == [Self.sync])
        let again = try await c.bkfix(["apply", "set-value", "--yes", "-p", "resync=true"] + Self.bkci)
        #expect(again.stdout.contains("no changes"))
        #expect(c.calls == [Self.sync])
        let id = try #require(try CLISandbox.json(out.stdout)["run"] as? String)
        #expect(try await c.bkfix(["rollback", id, "--yes"]).status == 0)
        #expect(c.calls == [Self.sync, Self.sync])
    }

    @Test(arguments: [
        ("int", "86400000", "  bkCiApiTokenExpiredMillisecond: 86400000\n"),
        ("bool", "yes", "  bkCiApiTokenExpiredMillisecond: true\n"),
        ("quantity", "500m", "  bkCiApiTokenExpiredMillisecond: 500m\n"),
    ])
    func otherTypesArePlain(_ type: String, _ value: String, _ line: String) async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        try c.sandbox.write(Self.custom, "config:\n  bkCiApiTokenExpiredMillisecond: \"1\"\n")
        let out = try await c.bkfix([
            "apply", "set-value", "--yes", "-p", "release=bk-ci", "-p", "key=config.bkCiApiTokenExpiredMillisecond",
            "-p", "value=\(value)", "-p", "type=\(type)",
        ])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(c.sandbox.readText(Self.custom) == "config:\n" + line)
    }

    @Test(arguments: [
        ("int", "8.64e+07", "is not a whole number"), ("bool", "maybe", "is not true or false"),
        ("quantity", "lots", "type quantity"),
    ])
    func aValueThatIsNotOfItsTypeIsRefused(_ type: String, _ value: String, _ message: String) async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let out = try await c.bkfix([
            "plan", "set-value", "-p", "release=bk-ci", "-p", "key=a.b", "-p", "value=\(value)", "-p", "type=\(type)",
        ])
        #expect(out.status == 2)
        #expect(out.stderr.contains(message), "\(out.stderr)")
    }

    @Test func theTypeIsRequiredAndNamed() async throws {
        let c = try sandbox()
        defer { c.cleanup() }
        let out = try await c.bkfix(["plan", "set-value", "-p", "release=bk-ci", "-p", "key=a", "-p", "value=1"])
        #expect(out.status == 2)
        #expect(out.stderr.contains("type"), "\(out.stderr)")
        let bad = try await c.bkfix([
            "plan", "set-value", "-p", "release=bk-ci", "-p", "key=a", "-p", "value=1", "-p", "type=float",
        ])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("string, int, bool, quantity"), "\(bad.stderr)")
    }
}
