import Foundation
import Testing

/// Where playbooks and cases come from: `--playbooks`/`--cases` folders, then the site's `/etc/bkfix/...` (under
/// `--root`), then the built-in ones; which file wins is said, and a folder that cannot be used is an error (exit 2).
@Suite struct DefinitionLookupCLITests {
    /// hub-hosts with another default IP and title: which file a plan used shows in its diff.
    static func hubHosts(ip: String, title: String) throws -> String {
        let builtIn = try String(
            contentsOf: Fixtures.checkout.appendingPathComponent("playbooks/hub-hosts.yaml"), encoding: .utf8)
        return builtIn.replacingOccurrences(of: "default: 49.234.165.79", with: "default: \(ip)")
            .replacingOccurrences(of: "en: Pin hub.bktencent.com to the Shanghai node", with: "en: \(title)")
    }

    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        return s
    }

    @Test func aMissingPlaybooksFolderStopsEveryCommandWithExit2AndItsName() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let missing = s.dir.appendingPathComponent("typo").path
        for args in [["plan", "hub-hosts"], ["playbooks"], ["history"], ["apply", "hub-hosts", "--yes"]] {
            let r = try await s.bkfix(args + ["--playbooks", missing])
            #expect(r.status == 2, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("--playbooks \(missing): no such folder"), "\(r.stderr)")
        }
        let json = try await s.bkfix(["plan", "hub-hosts", "--playbooks", missing, "--json"])
        let error = try CLISandbox.json(json.stdout)["error"] as? [String: Any]
        #expect(error?["code"] as? String == "bad-definition-folder")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        #expect(!FileManager.default.fileExists(atPath: s.state))
    }

    @Test func aPlaybooksFolderWithNoValidPlaybookIsAnErrorThatSaysWhy() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let empty = s.dir.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let r = try await s.bkfix(["plan", "hub-hosts", "--playbooks", empty])
        #expect(r.status == 2)
        #expect(r.stderr.contains("--playbooks \(empty): holds no valid playbook (no .yaml file in it)"), "\(r.stderr)")

        let broken = s.dir.appendingPathComponent("broken").path
        try FileManager.default.createDirectory(atPath: broken, withIntermediateDirectories: true)
        try "id: other\ntitle: {zh: x, en: x}\nsteps: []\n".write(
            toFile: broken + "/mine.yaml", atomically: true, encoding: .utf8)
        let b = try await s.bkfix(["plan", "hub-hosts", "--playbooks", broken])
        #expect(b.status == 2)
        #expect(b.stderr.contains("--playbooks \(broken): holds no valid playbook:"), "\(b.stderr)")
        #expect(b.stderr.contains("\(broken)/mine.yaml:1:5: id 'other' does not match the file name 'mine'"))

        let file = s.dir.appendingPathComponent("a-file").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let f = try await s.bkfix(["playbooks", "--playbooks", file])
        #expect(f.status == 2)
        #expect(f.stderr.contains("--playbooks \(file): not a folder"), "\(f.stderr)")
    }

    @Test func aSitePlaybookOverridesTheBuiltInOneAndTheListingSaysSo() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/etc/bkfix/playbooks/hub-hosts.yaml", try Self.hubHosts(ip: "10.9.9.9", title: "Site hub pin"))
        let site = s.root + "/etc/bkfix/playbooks/hub-hosts.yaml"

        let list = try await s.bkfix(["playbooks"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("hub-hosts          Site hub pin"), "\(list.stdout)")
        #expect(
            list.stdout.contains("from \(site) (site), overrides builtin:playbooks/hub-hosts.yaml"), "\(list.stdout)")
        #expect(list.stdout.contains("raise-quota"))

        let json = try CLISandbox.json(try await s.bkfix(["playbooks", "--json"]).stdout)
        let hub = (json["playbooks"] as? [[String: Any]])?.first { $0["id"] as? String == "hub-hosts" }
        #expect(hub?["source"] as? String == "site")
        #expect(hub?["file"] as? String == site)
        #expect(hub?["overrides"] as? [String] == ["builtin:playbooks/hub-hosts.yaml"])

        let show = try await s.bkfix(["playbook", "show", "hub-hosts"])
        #expect(show.stdout.contains("file: \(site) (site)\noverrides builtin:playbooks/hub-hosts.yaml\n"))
        let plan = try await s.bkfix(["plan", "hub-hosts"])
        #expect(plan.stdout.contains("+10.9.9.9 hub.bktencent.com"), "\(plan.stdout)")

        // A --playbooks folder comes before the site's.
        let given = s.dir.appendingPathComponent("mine").path
        try FileManager.default.createDirectory(atPath: given, withIntermediateDirectories: true)
        try Self.hubHosts(ip: "10.8.8.8", title: "My hub pin").write(
            toFile: given + "/hub-hosts.yaml", atomically: true, encoding: .utf8)
        let both = try await s.bkfix(["playbooks", "--playbooks", given])
        #expect(
            both.stdout.contains(
                "from \(given)/hub-hosts.yaml (--playbooks), overrides \(site) (site), builtin:playbooks/hub-hosts.yaml"
            ), "\(both.stdout)")
        #expect(try await s.bkfix(["plan", "hub-hosts", "--playbooks", given]).stdout.contains("+10.8.8.8 hub"))
    }

    @Test func anInvalidSitePlaybookMakesTheListingFailAndIsNeverSkippedForTheBuiltIn() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/etc/bkfix/playbooks/hub-hosts.yaml", "id: hub-hosts\nsteps: [\n")
        let list = try await s.bkfix(["playbooks"])
        #expect(list.status == 2)
        #expect(
            list.stderr.contains("invalid playbook: \(s.root)/etc/bkfix/playbooks/hub-hosts.yaml:"), "\(list.stderr)")
        #expect(list.stdout.contains("raise-quota"))
        #expect(!list.stdout.contains("hub-hosts "))
        let plan = try await s.bkfix(["plan", "hub-hosts"])
        #expect(plan.status == 2)
        #expect(plan.stderr.contains("\(s.root)/etc/bkfix/playbooks/hub-hosts.yaml:"))
        // A new site playbook is listed as the site's own.
        try s.write("/etc/bkfix/playbooks/hub-hosts.yaml", try Self.hubHosts(ip: "10.9.9.9", title: "Site hub pin"))
        try s.write(
            "/etc/bkfix/playbooks/site-pin.yaml",
            try Self.hubHosts(ip: "10.7.7.7", title: "Site pin").replacingOccurrences(
                of: "id: hub-hosts", with: "id: site-pin"))
        let fixed = try await s.bkfix(["playbooks"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        #expect(fixed.stdout.contains("from \(s.root)/etc/bkfix/playbooks/site-pin.yaml (site)\n"), "\(fixed.stdout)")
    }

    @Test func aSiteCaseOverridesTheBuiltInOneAndABrokenOneFailsTheListing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let builtIn = try String(
            contentsOf: Fixtures.checkout.appendingPathComponent("cases/chart-download-failed.yaml"), encoding: .utf8)
        try s.write(
            "/etc/bkfix/cases/my-chart.yaml",
            builtIn.replacingOccurrences(
                of: "en: Helm chart download failed (hub.bktencent.com resolves badly)", with: "en: Site chart case"))
        let site = s.root + "/etc/bkfix/cases/my-chart.yaml"
        let list = try await s.bkfix(["cases"])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains("Site chart case"))
        #expect(list.stdout.contains("from \(site) (site), overrides builtin:cases/chart-download-failed.yaml"))
        #expect(list.stdout.split(separator: "\n").filter { !$0.hasPrefix(" ") }.count == ReleaseBinary.builtInCases)
        let log = s.dir.appendingPathComponent("sync.log").path
        try "Error: failed to download \"blueking/bkrepo\" at version \"1.1.3\"\n".write(
            toFile: log, atomically: true, encoding: .utf8)
        let diagnosed = try await s.bkfix(["diagnose", log])
        #expect(diagnosed.stdout.contains("Site chart case"), "\(diagnosed.stdout)")

        try s.write("/etc/bkfix/cases/broken.yaml", "id: Not Valid\n")
        let broken = try await s.bkfix(["cases"])
        #expect(broken.status == 2)
        #expect(broken.stderr.contains("invalid case: \(s.root)/etc/bkfix/cases/broken.yaml:1:"), "\(broken.stderr)")
        #expect(broken.stdout.contains("Site chart case"))

        let missing = try await s.bkfix(["cases", "--cases", s.dir.appendingPathComponent("nope").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("--cases \(s.dir.appendingPathComponent("nope").path): no such folder"))
    }
}
