import Foundation
import Testing

@testable import BKFix

/// Golden tests: `golden/NAME.edit` (an input fixture and `set:` lines) must give `golden/NAME.expected`
/// byte for byte. `BKFIX_RECORD=1 swift test --filter YAMLSpliceGoldenTests` re-records the expected files.
@Suite struct YAMLSpliceGoldenTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var input: String?
        var assignments: [YAMLSplice.Assignment]
        var testDescription: String { name }
    }

    static let directory = "yaml/golden"

    static var cases: [Case] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.url(directory).path)) ?? []
        return names.filter { $0.hasSuffix(".edit") }.sorted().map { file in
            let text = (try? Fixtures.text("\(directory)/\(file)")) ?? ""
            var input: String?
            var assignments: [YAMLSplice.Assignment] = []
            for line in text.split(separator: "\n") {
                if line.hasPrefix("input: ") {
                    let name = line.dropFirst("input: ".count)
                    input = name == "new" ? nil : String(name)
                } else if line.hasPrefix("set: "), let eq = line.range(of: " = ") {
                    let path = line[line.index(line.startIndex, offsetBy: 5)..<eq.lowerBound]
                    assignments.append(
                        YAMLSplice.Assignment(YAMLSplice.path(String(path)), String(line[eq.upperBound...])))
                }
            }
            return Case(name: String(file.dropLast(".edit".count)), input: input, assignments: assignments)
        }
    }

    @Test func thereAreAtLeastTwentyFiveGoldens() {
        #expect(Self.cases.count >= 25)
    }

    @Test(arguments: cases)
    func editMatchesGoldenAndTouchesOnlyEditedSpans(_ golden: Case) throws {
        let input = try golden.input.map { try Fixtures.text("yaml/\($0)") } ?? ""
        let output = try YAMLSplice.set(golden.assignments, in: input, file: golden.input ?? "new.yaml")
        let expectedURL = Fixtures.url("\(Self.directory)/\(golden.name).expected")
        if ProcessInfo.processInfo.environment["BKFIX_RECORD"] == "1" {
            try Data(output.utf8).write(to: expectedURL)
        }
        let expected = try String(decoding: Data(contentsOf: expectedURL), as: UTF8.self)
        #expect(Data(output.utf8) == Data(expected.utf8), "golden \(golden.name) differs")
        SpliceDiff.expectOnlyEditedSpansChanged(input: input, output: output, assignments: golden.assignments)
    }
}
