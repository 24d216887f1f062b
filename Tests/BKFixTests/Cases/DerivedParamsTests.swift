import Foundation
import Testing

@testable import BKFix

/// What a log in `diag/derive/` must give: the case ranked first, the params its playbook needs, params it must not
/// take, the order of the findings, and which generic findings are linked to their cause.
struct DerivationExpectation: FileExpectation {
    var file = ""
    var `case`: String
    var params: [String: String]
    var absent: [String]?
    var order: [String]?
    /// Generic case → the causes it must say it is a symptom of.
    var explains: [String: [String]]?
    /// The work dir's releases (name → namespace), when the test gives one.
    var releases: [String: String]?
    static let all = loadAll("diag/derive/expected.json")

    enum CodingKeys: String, CodingKey { case `case`, params, absent, order, explains, releases }
}

/// Logs in shapes the other fixtures do not use (helmfile's ARGS and summary tables, helm's tab tables pasted with
/// CRLF, `bash -x`, `-o wide` listings, describe, journald/klog, Java and Go errors): each case gets the params its
/// playbook needs from the text around its evidence, and a specific cause comes before the symptom it explains.
@Suite struct DerivedParamsTests {
    @Test(arguments: DerivationExpectation.all)
    func logGivesItsCaseFirstWithEveryParamItsPlaybookNeeds(_ expected: DerivationExpectation) throws {
        var diagnoser = Diagnoser(catalog: CatalogFixture.catalog)
        if let releases = expected.releases { diagnoser.releases = KnownReleases(namespaces: releases) }
        let findings = try diagnoser.diagnose(path: Fixtures.url("diag/derive/\(expected.file)").path)
        let top = try #require(findings.first, "no finding for \(expected.file)")
        #expect(top.caseID == expected.case, "\(expected.file): got \(findings.map(\.caseID))")
        for (name, value) in expected.params {
            #expect(top.params[name] == value, "\(expected.file): \(name) is \(top.params[name] ?? "nil")")
        }
        for name in expected.absent ?? [] { #expect(top.params[name] == nil, "\(expected.file): \(name) derived") }
        if let order = expected.order {
            #expect(Array(findings.map(\.caseID).prefix(order.count)) == order, "\(expected.file)")
        }
        for (generic, causes) in expected.explains ?? [:] {
            let symptom = try #require(findings.first { $0.caseID == generic }, "\(expected.file): no \(generic)")
            #expect(symptom.explainedBy == causes, "\(expected.file): \(generic) explained by \(symptom.explainedBy)")
            let at = findings.firstIndex { $0.caseID == generic }!
            for cause in causes {
                let causeAt = try #require(findings.firstIndex { $0.caseID == cause })
                #expect(causeAt < at, "\(expected.file): \(cause) must come before \(generic)")
                #expect(findings[causeAt].explains.contains(generic))
                #expect(findings[causeAt].confidence >= symptom.confidence)
            }
            #expect(symptom.link?.contains("`\(causes[0])`") == true)
        }
    }

    @Test func everyPlannedPlaybookCaseHasADerivationLog() {
        let covered = Set(DerivationExpectation.all.map(\.case))
        for c in CatalogFixture.catalog.cases
        where c.playbooks.contains(where: CatalogFixture.plannedPlaybooks.contains) {
            #expect(covered.contains(c.id), "no derivation log for \(c.id)")
        }
    }

    @Test func theLinkIsStatedInBothLanguages() throws {
        let path = Fixtures.url("diag/derive/enable-ipv6-describe.log").path
        for (language, cause, symptom) in [
            (Language.en, "It explains `pod-crashloop` (listed below).", "A symptom of `ipv6-disabled` (listed above)"),
            (Language.zh, "它解释了下面的 `pod-crashloop`。", "这是上面 `ipv6-disabled` 的表现"),
        ] {
            let findings = try Diagnoser(catalog: CatalogFixture.catalog, language: language).diagnose(path: path)
            #expect(findings.first?.link == cause)
            #expect(findings.first { $0.caseID == "pod-crashloop" }?.link?.hasPrefix(symptom) == true)
        }
        for message in CauseRanking.allMessages {
            #expect(!message.zh.isEmpty && !message.en.isEmpty && message.zh != message.en)
        }
    }

    @Test func causesOfAnotherReleaseAreNotLinked() {
        let text = """
            Release "bk-auth" does not exist. Installing it now.
            Error: timed out waiting for the condition
            blueking  bk-elastic-elasticsearch-master-0  0/1  Running  6  12m
            """
        let findings = Diagnoser(catalog: CatalogFixture.catalog).diagnose(text: text)
        let timeout = findings.first { $0.caseID == "release-timeout" }
        let slow = findings.first { $0.caseID == "pod-start-timeout" }
        #expect(timeout?.params["release"] == "bk-auth")
        #expect(slow?.params["release"] == "bk-elastic-elasticsearch-master")
        #expect(timeout?.explainedBy == [])
        #expect(slow?.explains == [])
        #expect(timeout?.link == nil)
    }

    @Test func aFarAwayReleaseOrOneThatSucceededIsNotTaken() {
        // `Release "bk-auth" has been upgraded` is a release that went fine; the one that failed is named in the
        // FAILED RELEASES table, further away but stronger.
        let lines =
            ["FAILED RELEASES:", "NAME      NAMESPACE   CHART", "bk-paas   blueking    blueking/bk-paas", ""]
            + Array(repeating: "  waiting", count: 40)
            + [
                #"Release "bk-auth" has been upgraded. Happy Helming!"#,
                "Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress",
            ]
        let top = Diagnoser(catalog: CatalogFixture.catalog).diagnose(text: lines.joined(separator: "\n")).first
        #expect(top?.params["release"] == "bk-paas")
        #expect(top?.params["namespace"] == "blueking")
    }
}
