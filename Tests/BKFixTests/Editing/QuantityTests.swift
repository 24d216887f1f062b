import Foundation
import Testing

@testable import BKFix

@Suite struct QuantityTests {
    func q(_ text: String) throws -> Quantity { try Quantity(parsing: text) }

    @Test func cpuFormsCompareByValue() throws {
        #expect(try q("1000m") == q("1"))
        #expect(try q("1.5") == q("1500m"))
        #expect(try q("500m") < q("1"))
        #expect(try q("2") > q("1999m"))
    }

    @Test func memoryFormsCompareByValue() throws {
        #expect(try q("4096Mi") == q("4Gi"))
        #expect(try q("1G") == q("1e9"))
        #expect(try q("1G") == q("1000M"))
        #expect(try q("1Gi") > q("1G"))
        #expect(try q("512Mi").value == 536_870_912)
        #expect(try q("1k").value == 1000)
    }

    @Test func multiplyingKeepsTheUnitStyle() throws {
        #expect(try q("1024Mi").multiplied(by: 2).description == "2048Mi")
        #expect(try q("1000m").multiplied(by: 2).description == "2000m")
        #expect(try q("2Gi").multiplied(by: 2).description == "4Gi")
        #expect(try q("1").multiplied(by: 1.5).description == "1.5")
        #expect(try q("1e9").multiplied(by: 2).description == "2e9")
        #expect(try q("333m").multiplied(by: 1.5).description == "500m")
    }

    @Test func formatsAsWritten() throws {
        #expect(try q("512Mi").description == "512Mi")
        #expect(try q("0.5").description == "0.5")
        #expect(try q("4").description == "4")
    }

    @Test(arguments: ["12Zi", "-1", "", "   ", "Mi", "1.2.3", "abc", "1e", "10x"])
    func rejectsBadInput(_ text: String) {
        #expect(throws: QuantityError.self) { _ = try Quantity(parsing: text) }
    }

    @Test func rejectsNonPositiveFactor() throws {
        #expect(throws: QuantityError.self) { _ = try q("1").multiplied(by: 0) }
    }

    @Test func errorNamesTheTextAndTheProblem() {
        #expect(throws: QuantityError.invalid("12Zi", reason: "unknown unit 'Zi'")) {
            _ = try Quantity(parsing: "12Zi")
        }
        #expect(QuantityError.invalid("12Zi", reason: "unknown unit 'Zi'").localizedDescription.contains("12Zi"))
    }
}
