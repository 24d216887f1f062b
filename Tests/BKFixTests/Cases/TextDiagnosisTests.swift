import Foundation
import Testing

@testable import BKFix

/// What a text fixture must produce: the case ranked first and the params derived from it.
struct TextExpectation: FileExpectation {
    var file = ""
    var `case`: String
    var params: [String: String]
    static let all = loadAll("diag/text/expected.json")

    enum CodingKeys: String, CodingKey { case `case`, params }
}

@Suite struct TextDiagnosisTests {
    let diagnoser = Diagnoser(catalog: CatalogFixture.catalog, language: .en)

    @Test(arguments: TextExpectation.all)
    func fixtureRanksItsCaseFirstWithItsParams(_ expected: TextExpectation) throws {
        let findings = try diagnoser.diagnose(path: Fixtures.url("diag/text/\(expected.file)").path)
        let top = try #require(findings.first, "no finding for \(expected.file)")
        #expect(top.caseID == expected.case, "\(expected.file): got \(findings.map(\.caseID))")
        for (name, value) in expected.params { #expect(top.params[name] == value, "\(expected.file): param \(name)") }
        #expect(!top.evidence.isEmpty)
        #expect(top.evidence.allSatisfy { ($0.line ?? 0) >= 1 })
    }

    @Test func everySpecCaseHasAtLeastThreeTextFixtures() {
        for id in CatalogFixture.specCaseIDs {
            #expect(TextExpectation.all.filter { $0.case == id }.count >= 3, "\(id) needs 3 fixtures")
        }
    }

    @Test func issueExamplesDeriveChartAndNodeWithLineNumbers() {
        let text = """
            some noise
            \u{1B}[31mError: failed to download "bk-repo" at version "1.2.3"\u{1B}[0m\r
            2026-11-26 10:00:00 Error from server: dial tcp 10.0.0.5:10250: connect: no route to host
            """
        let findings = diagnoser.diagnose(text: text)
        #expect(Set(findings.map(\.caseID)) == ["chart-download-failed", "kubelet-unreachable"])
        let chart = findings.first { $0.caseID == "chart-download-failed" }
        #expect(chart?.params == ["chart": "bk-repo", "version": "1.2.3"])
        #expect(
            chart?.evidence == [Evidence(line: 2, text: #"Error: failed to download "bk-repo" at version "1.2.3""#)])
        #expect(chart?.playbooks == ["hub-hosts"])
        let kubelet = findings.first { $0.caseID == "kubelet-unreachable" }
        #expect(kubelet?.params["node"] == "10.0.0.5")
        #expect(kubelet?.evidence.first?.line == 3)
    }

    @Test func severalErrorsInOneInputAreAllReportedMostLikelyFirst() {
        let text = """
            Release "bk-auth" does not exist. Installing it now.
            Error: timed out waiting for the condition
            blueking  bk-auth-7f9c-x  0/1  Running  6  12m
            scripts/setup_bkce7.sh: line 568: helmfile: command not found
            """
        let findings = diagnoser.diagnose(text: text)
        // The pod that starts too slowly is why bk-auth timed out: it comes before the release timeout it explains.
        #expect(findings.map(\.caseID) == ["helmfile-not-found", "pod-start-timeout", "release-timeout"])
        #expect(findings[1].params["release"] == "bk-auth")
        #expect(findings[2].params["release"] == "bk-auth")
        #expect(findings[2].explainedBy == ["pod-start-timeout"])
        #expect(findings.map(\.confidence) == findings.map(\.confidence).sorted(by: >))
    }

    @Test func findingsSpeakTheRequestedLanguage() {
        let zh = Diagnoser(catalog: CatalogFixture.catalog, language: .zh)
        let finding = zh.diagnose(text: "bash: helmfile: command not found").first
        #expect(finding?.explanation.contains("PATH") == true)
        #expect(finding?.title.contains("找不到") == true)
    }

    @Test func jsonFollowsTheContract() throws {
        let finding = diagnoser.diagnose(text: "dial tcp 10.0.0.5:10250: connect: connection refused").first!
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(finding)) as! [String: Any]
        for key in ["case", "confidence", "evidence", "playbooks", "params", "explanation"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["case"] as? String == "kubelet-unreachable")
        let evidence = object["evidence"] as? [[String: Any]]
        #expect(evidence?.first?["line"] as? Int == 1)
        #expect((object["params"] as? [String: String])?["node"] == "10.0.0.5")
    }

    @Test(arguments: ["success-install.log", "unrelated-errors.log", "empty.log", "binary.bin"])
    func negativeInputsProduceNoFinding(_ name: String) throws {
        let findings = try diagnoser.diagnose(path: Fixtures.url("diag/negative/\(name)").path)
        #expect(findings.isEmpty, "\(name): \(findings.map(\.caseID))")
    }

    @Test func supportingLineAloneReportsNothingAndFarAwayReleaseIsNotBlamed() {
        #expect(diagnoser.diagnose(text: #"Release "bk-x" does not exist. Installing it now."#).isEmpty)
        let far =
            [#"Release "ok-one" does not exist. Installing it now."#]
            + Array(repeating: "installing...", count: 40) + ["Error: timed out waiting for the condition"]
        let finding = diagnoser.diagnose(text: far.joined(separator: "\n")).first
        #expect(finding?.caseID == "release-timeout")
        #expect(finding?.params["release"] == nil)
    }

    @Test func unreadableFileIsATypedError() {
        #expect(throws: DiagnoseError.unreadable(path: "/nonexistent/x.log", problem: "no such file or no permission"))
        {
            try diagnoser.diagnose(path: "/nonexistent/x.log")
        }
    }
}
