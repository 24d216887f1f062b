import Testing

@testable import BKFix

@Suite struct LanguageTests {
    @Test func languageFollowsLANG() {
        #expect(Language.fromEnvironment(["LANG": "zh_CN.UTF-8"]) == .zh)
        #expect(Language.fromEnvironment(["LANG": "en_US.UTF-8"]) == .en)
        #expect(Language.fromEnvironment(["LC_ALL": "zh_CN.UTF-8", "LANG": "C"]) == .zh)
        #expect(Language.fromEnvironment([:]) == .en)
    }
}
