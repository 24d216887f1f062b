import Foundation
import Testing

@testable import BKFix

@Suite struct HelmUpgradeStepTests {
    typealias S = HostTestSupport
    static let installDir = "/root/bkce7.1-install"
    static let shipped = "\(installDir)/bin/helm"
    static let oldBinary = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0xFF, 0x00, 0x0A, 0x0D, 0x80])
    static let newBinary = Data([0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x11, 0x22, 0xFE, 0x0A, 0x33])

    /// A host whose `helm` and shipped helm print the given versions (nil: not installed).
    func host(current: String?, shipped: String?, readOnly: Bool = false) -> MemoryTransport {
        let t = MemoryTransport(readOnly: readOnly) { argv in
            switch argv {
            case ["helm", "version", "--short"]:
                return current.map { S.ok(argv, $0 + "\n") } ?? S.fail(argv, 127, stderr: "helm: command not found")
            case [Self.shipped, "version", "--short"]:
                return shipped.map { S.ok(argv, $0 + "\n") } ?? S.fail(argv, 127)
            default: return S.fail(argv, 127, stderr: "unexpected \(argv)")
            }
        }
        if current != nil { t.setFile("/usr/local/bin/helm", Self.oldBinary, mode: 0o755) }
        if shipped != nil { t.setFile(Self.shipped, Self.newBinary, mode: 0o700) }
        return t
    }

    @Test func anOldHelmIsReplacedByTheNewerShippedOne() throws {
        let t = host(current: "v3.9.4+gdbc6d8e", shipped: "v3.12.3+g3a31588", readOnly: true)
        let plan = try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir))
        let change = try #require(S.fileChanges(plan).first)
        #expect(change.path == "/usr/local/bin/helm")
        #expect(change.before == Self.oldBinary)
        #expect(change.after == Self.newBinary)
        #expect(change.binary)
        #expect(change.afterMeta?.mode == 0o755, "the installed helm keeps the target's mode")
        #expect(plan.notes.first == "helm v3.9.4 is older than v3.12.0; installing \(Self.shipped) (v3.12.3)")
        #expect(t.writes.isEmpty)
    }

    @Test func rollbackRestoresTheOldBinaryByteForByte() throws {
        let t = host(current: "v3.9.4+gdbc6d8e", shipped: "v3.12.3+g3a31588")
        let plan = try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir))
        try S.apply(plan, to: t)
        #expect(t.file("/usr/local/bin/helm") == Self.newBinary)
        try S.rollback(plan, on: t)
        #expect(t.file("/usr/local/bin/helm") == Self.oldBinary)
        #expect(try t.read("/usr/local/bin/helm")?.meta.mode == 0o755)
    }

    @Test func aRecentHelmPlansNothing() throws {
        let t = host(current: "v3.12.0+gc9f554d", shipped: "v3.12.3")
        let plan = try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir))
        #expect(plan.changes.isEmpty)
        #expect(plan.notes == ["helm v3.12.0 is already at least v3.12.0"])
    }

    @Test func withoutANewerShippedHelmItExplainsWhatToDownload() throws {
        let t = host(current: "v3.9.4", shipped: "v3.9.4")
        #expect(
            throws: HelmUpgradeError.noNewerHelm(
                current: "v3.9.4", shipped: "v3.9.4", source: Self.shipped, minimum: "v3.12.0")
        ) { try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir)) }
        let message = HelmUpgradeError.noNewerHelm(
            current: "v3.9.4", shipped: nil, source: Self.shipped, minimum: "v3.12.0"
        )
        .localizedDescription
        #expect(message.contains("does not exist"))
        #expect(message.contains("helm-v3.12.0-linux-amd64.tar.gz"))
    }

    @Test func aMissingShippedHelmIsExplained() {
        let t = host(current: "v3.9.4", shipped: nil)
        #expect(
            throws: HelmUpgradeError.noNewerHelm(
                current: "v3.9.4", shipped: nil, source: Self.shipped, minimum: "v3.12.0")
        ) { try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir)) }
    }

    @Test func garbageFromHelmIsAnError() {
        let t = host(current: "Error: unknown flag: --short", shipped: "v3.12.3")
        #expect(throws: HelmVersionError.unparsable("Error: unknown flag: --short\n")) {
            try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir))
        }
    }

    @Test func noHelmAtAllInstallsTheShippedOneWithItsMode() throws {
        let t = host(current: nil, shipped: "v3.12.3")
        let plan = try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir))
        let change = try #require(S.fileChanges(plan).first)
        #expect(change.operation == .create)
        #expect(change.afterMeta?.mode == 0o700)
    }

    @Test func anAlreadyInstalledHelmShadowedOnPathIsExplained() throws {
        let t = host(current: "v3.9.4", shipped: "v3.12.3")
        t.setFile("/usr/local/bin/helm", Self.newBinary, mode: 0o700)
        let plan = try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir))
        #expect(plan.changes.isEmpty)
        #expect(plan.notes.last?.hasSuffix("yet helm on PATH is still v3.9.4: check command -v helm") == true)
    }

    @Test func notesFollowTheLanguage() throws {
        let t = host(current: "v3.9.4", shipped: "v3.12.3")
        let plan = try HelmUpgradeStep.plan(
            S.args("helm-upgrade"), in: S.context(t, installDir: Self.installDir, language: .zh))
        #expect(plan.notes.first == "helm v3.9.4 低于 v3.12.0，安装 \(Self.shipped)（v3.12.3）")
    }

    @Test func anUnknownInstallDirIsAnError() {
        let t = host(current: "v3.9.4", shipped: nil)
        #expect(throws: HelmUpgradeError.installDirUnknown) {
            try HelmUpgradeStep.plan(S.args("helm-upgrade"), in: S.context(t, installDir: nil))
        }
    }

    @Test func theHelmVersionCheckComparesWithTheMinimum() throws {
        let old = try HelmVersionCheck.check(
            S.args("helm-version"), in: S.context(host(current: "v3.9.4+g1", shipped: nil)))
        #expect(!old.ok)
        #expect(old.detail == "helm v3.9.4 is older than v3.12.0")
        let new = try HelmVersionCheck.check(
            S.args("helm-version", ["min": .string("3.12")]), in: S.context(host(current: "v3.12.3+g1", shipped: nil)))
        #expect(new.ok)
        let missing = try HelmVersionCheck.check(
            S.args("helm-version"), in: S.context(host(current: nil, shipped: nil)))
        #expect(!missing.ok)
    }
}
