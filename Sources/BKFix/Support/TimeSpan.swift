import Foundation

/// A length of time as an operator writes it for `--revert-after`: `90s`, `30m`, `2h`, `1h30m`, `1d` (systemd's
/// units, largest first, each at most once).
public struct TimeSpan: Sendable, Equatable, Codable {
    public var seconds: Int

    public init(seconds: Int) { self.seconds = seconds }

    private static let units: [(suffix: Character, seconds: Int)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]

    /// Parses `2h`, `1h30m`, `45m`, `90s`, `1d`; nil for anything else (a bare number, `0m`, a unit twice).
    public init?(_ text: String) {
        var total = 0
        var digits = ""
        var nextUnit = 0
        for c in text {
            if c.isASCII, c.isNumber {
                digits.append(c)
                continue
            }
            guard let i = Self.units.firstIndex(where: { $0.suffix == c }), i >= nextUnit, let n = Int(digits),
                n <= 1_000_000
            else { return nil }
            total += n * Self.units[i].seconds
            digits = ""
            nextUnit = i + 1
        }
        guard digits.isEmpty, total > 0 else { return nil }
        seconds = total
    }

    /// The shortest spelling: `2h`, `1h30m`, `90s` → `1m30s`.
    public var description: String {
        var rest = seconds
        var out = ""
        for unit in Self.units where rest >= unit.seconds {
            out += "\(rest / unit.seconds)\(unit.suffix)"
            rest %= unit.seconds
        }
        return out.isEmpty ? "0s" : out
    }
}
