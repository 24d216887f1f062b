import Testing

@testable import BKFix

@Suite struct TextNormalizerTests {
    @Test func stripsColoursAndCarriageReturns() {
        #expect(TextNormalizer.normalize("\u{1B}[31mError:\u{1B}[0m failed\r") == "Error: failed")
        #expect(TextNormalizer.normalize("\u{1B}]0;title\u{07}plain") == "plain")
        #expect(TextNormalizer.normalize("progress 10%\rprogress 100%\r") == "progress 100%")
    }

    @Test func stripsLeadingTimestampsOfCommonShapes() {
        #expect(TextNormalizer.normalize("2026-11-20 10:01:02 [INFO] x") == "[INFO] x")
        #expect(TextNormalizer.normalize("[2026-11-20 10:01:02] [INFO] x") == "[INFO] x")
        #expect(TextNormalizer.normalize("2026-11-24T01:02:03.456+08:00   Normal") == "Normal")
        #expect(TextNormalizer.normalize("2026/11/24 01:02:03,5 +0800 y") == "y")
        #expect(TextNormalizer.normalize("[10:22:01] 部署") == "部署")
        #expect(TextNormalizer.normalize("[2026-11-25T13:00:00.000Z] z") == "z")
    }

    @Test func stripsBashTraceMarksButKeepsOtherText() {
        #expect(TextNormalizer.normalize("++ echo hi") == "echo hi")
        #expect(TextNormalizer.normalize("+ helmfile sync") == "helmfile sync")
        #expect(TextNormalizer.normalize("+1 not a trace") == "+1 not a trace")
        #expect(TextNormalizer.normalize("10 apples") == "10 apples")
        #expect(TextNormalizer.normalize("[INFO] ok") == "[INFO] ok")
        #expect(TextNormalizer.normalize("") == "")
    }
}
