import Foundation
import Testing

@testable import BKFix

@Suite struct ProfilePathStepTests {
    typealias S = HostTestSupport
    static let brokenEnv = ["PATH": "/usr/local/sbin:/usr/bin", "HOME": "/root"]

    @Test func aPathResetInEtcProfileGetsAManagedProfileDFile() throws {
        let t = try PathAuditTests.host(["/etc/profile": "profile-broken"], readOnly: true)
        t.setFile("/usr/local/bin/helmfile", Data([0x7F, 0x45]), mode: 0o755)
        let plan = try ProfilePathStep.plan(
            S.args("profile-path", ["tool": .string("helmfile")]), in: S.context(t, environment: Self.brokenEnv))
        let change = try #require(S.fileChanges(plan).first)
        #expect(S.fileChanges(plan).count == 1)
        #expect(change.path == "/etc/profile.d/bkfix-path.sh")
        #expect(change.operation == .create)
        #expect(change.afterMeta?.mode == 0o644)
        #expect(change.after == ProfilePathStep.managedContent(dir: "/usr/local/bin"))
        #expect(plan.notes.contains("/usr/local/bin/helmfile exists"))
        #expect(plan.notes.contains { $0.hasPrefix("the current PATH lacks /usr/local/bin") })
        #expect(
            plan.notes.contains(
                "/etc/profile:11 drops /usr/local/bin from PATH: export PATH=/usr/local/sbin:/usr/bin:/bin"))
        #expect(t.writes.isEmpty)
    }

    @Test func afterTheFixTheLoginPathContainsTheDirAndReapplyIsANoOp() throws {
        let t = try PathAuditTests.host(["/etc/profile": "profile-broken"])
        let context = S.context(t, environment: Self.brokenEnv)
        let plan = try ProfilePathStep.plan(S.args("profile-path"), in: context)
        #expect(try !PathContainsCheck.check(S.args("path-contains"), in: context).ok)
        try S.apply(plan, to: t)
        #expect(try PathContainsCheck.check(S.args("path-contains"), in: context).ok)
        let again = try ProfilePathStep.plan(S.args("profile-path"), in: context)
        #expect(again.changes.isEmpty)
        #expect(again.notes.last == "login shells already get /usr/local/bin in PATH")
        try S.rollback(plan, on: t)
        #expect(t.file("/etc/profile.d/bkfix-path.sh") == nil)
    }

    @Test func aProfileDFileThatAlreadyFixesItIsANoOp() throws {
        let t = try PathAuditTests.host([
            "/etc/profile": "profile-broken", "/etc/profile.d/zz-fix.sh": "profile.d-fixed.sh",
        ])
        let plan = try ProfilePathStep.plan(S.args("profile-path"), in: S.context(t, environment: Self.brokenEnv))
        #expect(plan.changes.isEmpty)
        #expect(plan.notes.contains("login shells already get /usr/local/bin in PATH"))
    }

    @Test func anRcResetIsReportedButNotRewrittenByDefault() throws {
        let t = try PathAuditTests.host(["/root/.bashrc": "bashrc-reset", "/root/.bash_profile": "bash_profile"])
        let plan = try ProfilePathStep.plan(S.args("profile-path"), in: S.context(t, environment: Self.brokenEnv))
        #expect(S.fileChanges(plan).map(\.path) == ["/etc/profile.d/bkfix-path.sh"])
        #expect(
            plan.notes.contains(
                "/root/.bashrc:15 drops /usr/local/bin from PATH: export PATH=/usr/local/sbin:/usr/bin:$GOROOT/bin"))
        #expect(
            plan.notes.contains {
                $0.hasPrefix("/root/.bashrc:15 resets PATH after /etc/profile.d") && $0.contains("fix_rc=true")
            })
    }

    @Test func fixRcRewritesOnlyTheBreakingLine() throws {
        let t = try PathAuditTests.host(["/root/.bashrc": "bashrc-reset", "/root/.bash_profile": "bash_profile"])
        let context = S.context(t, environment: Self.brokenEnv)
        let plan = try ProfilePathStep.plan(S.args("profile-path", ["fix-rc": .string("true")]), in: context)
        let rc = try #require(S.fileChanges(plan).first { $0.path == "/root/.bashrc" })
        let before = String(decoding: rc.before ?? Data(), as: UTF8.self).components(separatedBy: "\n")
        let after = String(decoding: rc.after ?? Data(), as: UTF8.self).components(separatedBy: "\n")
        #expect(before.count == after.count)
        let changed = zip(before, after).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(changed == [14])
        #expect(after[14] == "export PATH=/usr/local/sbin:/usr/bin:$GOROOT/bin:/usr/local/bin")
        try S.apply(plan, to: t)
        #expect(try PathContainsCheck.check(S.args("path-contains"), in: context).ok)
    }

    @Test func theManagedFileIsValidShellThatAddsTheDirOnce() throws {
        let script = String(decoding: ProfilePathStep.managedContent(dir: "/usr/local/bin"), as: UTF8.self)
        #expect(script.hasPrefix("# Managed by bkfix"))
        #expect(script.contains(#"*":/usr/local/bin:"*) ;;"#))
    }
}
