import Foundation
import Testing

/// helm-upgrade through the real binary on a temp root (issue #4). `helm` on PATH is `<root>/usr/local/bin/helm`
/// (so installing over it changes what `helm version` says, as on a real machine), and the install dir ships a
/// newer helm at `<root>$INSTALL_DIR/bin/helm`, which bkfix runs through the root.
@Suite struct HelmUpgradeCLITests {
    static let installDir = "/root/bkce7.1-install"
    static let dest = "/usr/local/bin/helm"
    static var shipped: String { installDir + "/bin/helm" }

    /// A root with an old helm in /usr/local/bin (mode `mode`) and, unless nil, `shippedVersion` in the install dir.
    func sandbox(current: String = "v3.9.4+g7ceeda6", shippedVersion: String? = "v3.12.3+g3a31588", mode: Int = 0o755)
        throws -> CLISandbox
    {
        let s = try CLISandbox()
        try s.refuseAllTools()
        try FileManager.default.removeItem(atPath: s.bin + "/helm")  // the real helm on PATH is the root's one
        try s.scriptedStandIn(
            "helm", at: s.root + Self.dest, cases: [("version --short", "    echo '\(current)'\n    exit 0")])
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: s.root + Self.dest)
        if let shippedVersion {
            try s.scriptedStandIn(
                "shipped-helm", at: s.root + Self.shipped,
                cases: [("version --short", "    echo '\(shippedVersion)'\n    exit 0")])
        }
        return s
    }

    func run(_ s: CLISandbox, _ args: [String]) async throws -> ProcessOutput {
        try await s.bkfix(
            args + ["--install-dir", Self.installDir],
            env: ["PATH": "\(s.root)/usr/local/bin:\(s.bin):/usr/bin:/bin"])
    }

    @Test func planComparesTheVersionsAndChangesNothing() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let before = s.rootSnapshot()
        let r = try await run(s, ["plan", "helm-upgrade"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("helm v3.9.4 is older than v3.12.0; installing \(Self.shipped) (v3.12.3)"))
        #expect(r.stdout.contains("binary \(Self.dest): "))
        #expect(r.stdout.contains("old "))
        #expect(r.stdout.contains("1 file, 0 commands on 1 host"))
        #expect(s.calls == ["helm version --short", "shipped-helm version --short"])
        #expect(s.rootUnchanged(since: before))
        #expect(!FileManager.default.fileExists(atPath: s.state + "/.git"))
    }

    @Test func applyInstallsTheShippedHelmKeepsTheModeAndVerifies() async throws {
        let s = try sandbox(mode: 0o750)
        defer { s.cleanup() }
        let old = try #require(s.read(Self.dest))
        let new = try #require(s.read(Self.shipped))
        let r = try await run(s, ["apply", "helm-upgrade", "--yes", "--json"])
        #expect(r.status == 0, "\(r.stderr) \(r.stdout)")
        let runID = try #require(try CLISandbox.json(r.stdout)["run"] as? String)
        #expect(s.read(Self.dest) == new)
        #expect(s.mode(Self.dest) == 0o750)
        let shown = try CLISandbox.json(try await run(s, ["show", runID, "--json"]).stdout)
        let verify = try #require((shown["verify"] as? [[String: Any]])?.first)
        #expect(verify["check"] as? String == "helm-version")
        #expect(verify["ok"] as? Bool == true)
        #expect((verify["detail"] as? String)?.contains("v3.12.3") == true)
        let file = try #require((shown["files"] as? [[String: Any]])?.first)
        #expect(file["binary"] as? Bool == true)
        #expect(file["path"] as? String == Self.dest)
        // The old binary is in the state repo, in the commit before the run's.
        let stored = try await s.git(["show", "HEAD~1:hosts/control/usr/local/bin/helm"])
        #expect(Data(stored.stdout.utf8) == old)
        let again = try CLISandbox.json(try await run(s, ["apply", "helm-upgrade", "--yes", "--json"]).stdout)
        #expect(again["status"] as? String == "no-changes")
        let plan = try await run(s, ["plan", "helm-upgrade"])
        #expect(plan.stdout.contains("helm v3.12.3 is already at least v3.12.0"))
    }

    @Test func rollbackRestoresTheOldBinaryByteForByteAndItsMode() async throws {
        let s = try sandbox(mode: 0o755)
        defer { s.cleanup() }
        let before = s.rootSnapshot()
        let old = try #require(s.read(Self.dest))
        #expect(try await run(s, ["apply", "helm-upgrade", "--yes"]).status == 0)
        #expect(s.read(Self.dest) != old)
        let rb = try await run(s, ["rollback", "--playbook", "helm-upgrade", "--yes"])
        #expect(rb.status == 0, "\(rb.stderr)")
        #expect(s.read(Self.dest) == old)
        #expect(s.mode(Self.dest) == 0o755)
        #expect(s.rootUnchanged(since: before))
        let runs = try CLISandbox.json(try await run(s, ["history", "--json"]).stdout)["runs"] as? [[String: Any]]
        #expect(runs?.map { $0["kind"] as? String } == ["rollback", "apply"])
        #expect(runs?.last?["case"] as? String == "helm-too-old")
        let helm = try await ProcessHarness.run(s.root + Self.dest, ["version", "--short"], environment: [:])
        #expect(helm.stdout == "v3.9.4+g7ceeda6\n")
    }

    @Test func withoutANewerShippedHelmItExplainsWhatToDownloadAndChangesNothing() async throws {
        for shipped in ["v3.9.4+g7ceeda6", nil] as [String?] {
            let s = try sandbox(shippedVersion: shipped)
            defer { s.cleanup() }
            let before = s.rootSnapshot()
            let r = try await run(s, ["apply", "helm-upgrade", "--yes"])
            #expect(r.status != 0)
            #expect(r.stderr.contains("helm v3.9.4 is older than v3.12.0"), "\(r.stderr)")
            #expect(r.stderr.contains("helm-v3.12.0-linux-amd64.tar.gz"))
            #expect(r.stderr.contains(shipped == nil ? "\(Self.shipped) does not exist" : "\(Self.shipped) is v3.9.4"))
            #expect(s.rootUnchanged(since: before))
            #expect(
                (try CLISandbox.json(try await run(s, ["history", "--json"]).stdout)["runs"] as? [Any])?.isEmpty == true
            )
        }
    }

    @Test func aGarbageVersionIsRefusedWithTheTextItRead() async throws {
        let s = try sandbox(current: "helm: command bad")
        defer { s.cleanup() }
        let r = try await run(s, ["plan", "helm-upgrade"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot read a helm version from \"helm: command bad"), "\(r.stderr)")
    }
}
