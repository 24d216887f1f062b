import Testing

@testable import BKFix

@Suite struct HelmVersionTests {
    @Test func shortOutputWithBuildMetadataParses() throws {
        #expect(try HelmVersion(parsing: "v3.9.4+gdbc6d8e\n") == HelmVersion(major: 3, minor: 9, patch: 4))
        #expect(try HelmVersion(parsing: "v3.12.0") == HelmVersion(major: 3, minor: 12, patch: 0))
        #expect(try HelmVersion(parsing: "3.12") == HelmVersion(major: 3, minor: 12, patch: 0))
    }

    @Test func longBuildInfoOutputParses() throws {
        let long =
            #"version.BuildInfo{Version:"v3.9.4", GitCommit:"dbc6d8e20fe1d58d50e6ed30f09a04a77e4c68db", GitTreeState:"clean", GoVersion:"go1.17.13"}"#
        #expect(try HelmVersion(parsing: long) == HelmVersion(major: 3, minor: 9, patch: 4))
    }

    @Test func comparisonIsNumericNotLexical() throws {
        #expect(try HelmVersion(parsing: "v3.9.4+g1") < HelmVersion(parsing: "v3.12.0"))
        #expect(try HelmVersion(parsing: "v3.12.3") > HelmVersion(parsing: "v3.12.0"))
        #expect(try HelmVersion(parsing: "v3.12.0-rc.1") < HelmVersion(parsing: "v3.12.0"))
        #expect(try HelmVersion(parsing: "v3.12.0-rc.2") < HelmVersion(parsing: "v3.12.0-rc.10"))
        #expect(try !(HelmVersion(parsing: "v3.12.0+gaaa") < HelmVersion(parsing: "v3.12.0+gbbb")))
        #expect(try HelmVersion(parsing: "v2.17.0") < HelmVersion(parsing: "v3.0.0"))
    }

    @Test(arguments: [
        "", "garbage", "v", "v3", "v3..1", "3.x.1", "v3.12.0-", "helm: command not found", "v1.2.3.4", "v٣.١٢.٠",
    ])
    func garbageIsAnError(_ text: String) {
        #expect(throws: HelmVersionError.unparsable(text)) { try HelmVersion(parsing: text) }
    }

    @Test func descriptionIsCanonical() throws {
        #expect(try HelmVersion(parsing: "3.12").description == "v3.12.0")
        #expect(try HelmVersion(parsing: "v3.13.1-rc.1+gabc").description == "v3.13.1-rc.1")
    }
}
