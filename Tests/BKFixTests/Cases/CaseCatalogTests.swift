import Foundation
import Testing

@testable import BKFix

@Suite struct CaseCatalogTests {
    @Test func everySpecCaseIsInTheCatalogue() {
        let ids = Set(CatalogFixture.catalog.cases.map(\.id))
        for id in CatalogFixture.specCaseIDs { #expect(ids.contains(id), "missing case \(id)") }
    }

    @Test func everyCaseHasBothLanguagesForEveryText() {
        for c in CatalogFixture.catalog.cases {
            for text in [c.title, c.explanation, c.nextStep] {
                #expect(!text.zh.isEmpty && !text.en.isEmpty, "\(c.id) lacks a language")
                #expect(text.zh != text.en, "\(c.id): zh and en are the same text")
                #expect(
                    text.zh.unicodeScalars.contains { $0.value >= 0x4E00 && $0.value <= 0x9FFF },
                    "\(c.id): zh has no Chinese")
            }
        }
    }

    @Test func playbooksAreKnownIDsAndEveryCaseHasATextRule() {
        for c in CatalogFixture.catalog.cases {
            for p in c.playbooks {
                #expect(
                    CatalogFixture.knownPlaybooks.union(CatalogFixture.plannedPlaybooks).contains(p),
                    "\(c.id): unknown playbook \(p)")
            }
            #expect(c.textRules.contains { !$0.supporting }, "\(c.id) has no primary text rule")
        }
    }

    @Test func everyRuleHasAPrefilterLiteralSoLargeLogsStayFast() {
        for c in CatalogFixture.catalog.cases {
            for r in c.textRules { #expect(r.hasPrefilter, "\(r.location): no literal found in \(r.pattern)") }
        }
    }

    @Test func badRegexIsALintErrorWithFileAndLine() throws {
        let yaml = """
            id: broken
            title: {zh: 坏, en: bad}
            explanation: {zh: 坏, en: bad}
            next: {zh: 坏, en: bad}
            rules:
              - regex: 'unclosed (group'
            """
        #expect(throws: CatalogError.self) { try CaseCatalog.parse(yaml: yaml, file: "broken.yaml") }
        do {
            _ = try CaseCatalog.parse(yaml: yaml, file: "broken.yaml")
        } catch let error as CatalogError {
            guard case .badRegex(let file, let line, _, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect(file == "broken.yaml" && line == 6)
            #expect(error.localizedDescription.hasPrefix("broken.yaml:6:"))
        }
    }

    @Test func missingLanguageIsReportedWithItsLine() {
        let yaml = """
            id: half
            title:
              zh: 只有中文
            explanation: {zh: 坏, en: bad}
            next: {zh: 坏, en: bad}
            """
        #expect(throws: CatalogError.missingField(file: "half.yaml", line: 3, field: "en")) {
            try CaseCatalog.parse(yaml: yaml, file: "half.yaml")
        }
    }

    @Test func captureThatIsNoPlaybookParamIsRejected() {
        let yaml = """
            id: odd
            title: {zh: 怪, en: odd}
            explanation: {zh: 怪, en: odd}
            next: {zh: 怪, en: odd}
            rules:
              - regex: 'host (?<hostname>\\S+) down'
            """
        #expect(throws: CatalogError.unknownCapture(file: "odd.yaml", line: 6, name: "hostname")) {
            try CaseCatalog.parse(yaml: yaml, file: "odd.yaml")
        }
    }

    @Test func invalidYAMLAndBadWeightAreReported() {
        #expect(throws: CatalogError.self) { try CaseCatalog.parse(yaml: "id: [unclosed", file: "x.yaml") }
        let yaml = """
            id: heavy
            title: {zh: 重, en: heavy}
            explanation: {zh: 重, en: heavy}
            next: {zh: 重, en: heavy}
            rules:
              - regex: 'something bad'
                weight: 3
            """
        #expect(
            throws: CatalogError.invalidField(
                file: "w.yaml", line: 7, field: "weight", problem: "must be a number between 0 and 1")
        ) {
            try CaseCatalog.parse(yaml: yaml, file: "w.yaml")
        }
    }

    @Test func duplicateIDsAcrossFilesAreReportedTogether() throws {
        let dir = try Fixtures.tempDir("cases")
        defer { try? FileManager.default.removeItem(at: dir) }
        let body = "id: same\ntitle: {zh: 同, en: same}\nexplanation: {zh: 同, en: same}\nnext: {zh: 同, en: same}\n"
        try body.write(to: dir.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
        try body.write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        #expect(
            throws: CatalogError.duplicateID(
                id: "same",
                files: [dir.appendingPathComponent("a.yaml").path, dir.appendingPathComponent("b.yaml").path])
        ) {
            try CaseCatalog.load(directory: dir)
        }
        #expect(throws: CatalogError.unreadableDirectory(dir.appendingPathComponent("nope").path)) {
            try CaseCatalog.load(directory: dir.appendingPathComponent("nope"))
        }
    }

    @Test func literalPrefilterIsDerivedConservatively() {
        let bytes = { (s: [String]) in s.map { Array($0.utf8) } }
        #expect(
            RegexLiteral.required(in: #"dial tcp (?<node>\d+):10250: connect"#)
                == bytes([":10250: connect", "dial tcp "]))
        #expect(RegexLiteral.required(in: "a|bcdefg") == [])
        #expect(RegexLiteral.required(in: "(?i)timed out") == [])
        #expect(RegexLiteral.required(in: #"registry-1\.docker\.io/v2/.*x"#) == bytes(["registry-1.docker.io/v2/"]))
        #expect(RegexLiteral.required(in: "colou?r names") == bytes(["r names", "colo"]))
        #expect(RegexLiteral.required(in: #"\s+0/[1-9]\d*\s+Running"#) == bytes(["Running", "0/"]))
    }
}
