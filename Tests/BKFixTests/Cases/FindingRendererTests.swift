import Foundation
import Testing

@testable import BKFix

@Suite struct FindingRendererTests {
    let findings = Diagnoser(catalog: CatalogFixture.catalog, language: .en).diagnose(
        text:
            "x\nError: failed to download \"bk-repo\" at version \"1.2.3\"\nError: timed out waiting for the condition")

    @Test func textShowsEvidenceLinesExplanationAndTheCommandToPlan() {
        let text = FindingRenderer.render(findings, language: .en)
        #expect(text.contains("1. [chart-download-failed]"))
        #expect(text.contains(#"line 2: Error: failed to download "bk-repo" at version "1.2.3""#))
        #expect(text.contains("bkfix plan hub-hosts -p chart=bk-repo -p version=1.2.3"))
        #expect(text.contains("2. [release-timeout]"))
        #expect(text.contains("diagnosis only"))
    }

    @Test func missingPlaybookSaysNoPlaybookYetInBothLanguages() {
        #expect(
            FindingRenderer.render(findings, language: .en, playbookParams: [:]).contains("hub-hosts (no playbook yet)")
        )
        let zh = Diagnoser(catalog: CatalogFixture.catalog, language: .zh).diagnose(
            text: "bash: helmfile: command not found")
        let text = FindingRenderer.render(zh, language: .zh, playbookParams: ["hub-hosts": ["ip"]])
        #expect(text.contains("fix-path （该 playbook 尚未提供）"))
        #expect(text.contains("第 1 行"))
    }

    @Test func onlyParamsThePlaybookTakesGoOnItsCommandLine() {
        let text = FindingRenderer.render(findings, language: .en, playbookParams: ["hub-hosts": ["ip", "version"]])
        #expect(text.contains("bkfix plan hub-hosts -p version=1.2.3\n"))
    }

    @Test func noFindingsSaySoAndJSONHasAnEmptyList() throws {
        #expect(FindingRenderer.render([], language: .en) == "No known case matched.\n")
        #expect(FindingRenderer.render([], language: .zh) == "没有匹配到已知案例。\n")
        let object = FindingRenderer.jsonObject([])
        #expect((object["findings"] as? [Any])?.isEmpty == true)
        let full = FindingRenderer.jsonObject(findings)
        #expect((full["findings"] as? [[String: Any]])?.first?["case"] as? String == "chart-download-failed")
    }

    @Test func everyRendererMessageExistsInBothLanguages() {
        for message in FindingRenderer.allMessages {
            #expect(!message.zh.isEmpty && !message.en.isEmpty && message.zh != message.en)
        }
    }
}
