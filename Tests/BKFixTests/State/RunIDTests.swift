import Foundation
import Testing

@testable import BKFix

/// Run ids sort by time and name their shard: `YYYYMMDD-HHMMSS-xxxx` in UTC.
@Suite struct RunIDTests {
    @Test(arguments: [0.0, 1_795_000_000.9, 1_709_251_199, 4_102_444_800])
    func anIDIsTheUTCSecondThenFourHexDigits(_ seconds: Double) throws {
        let date = Date(timeIntervalSince1970: seconds)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let id = RunID.make(now: date)
        #expect(id.hasPrefix(formatter.string(from: date) + "-"), "\(id)")
        let suffix = id.split(separator: "-").last.map(String.init) ?? ""
        #expect(suffix.count == 4 && UInt16(suffix, radix: 16) != nil, "\(id)")
    }
}
