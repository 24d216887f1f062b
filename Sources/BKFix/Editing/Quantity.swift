import Foundation

/// A Kubernetes resource quantity (`500m`, `1.5`, `512Mi`, `1G`, `1e9`): exact value plus the unit it was
/// written in, so arithmetic keeps the file's own style (doubling `1024Mi` gives `2048Mi`).
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in base units (cores or bytes).
    public let value: Decimal
    /// The suffix it was written with (`m`, `Mi`, `G`, `e9`, or empty).
    public let suffix: String

    private static let binary: [String: Int] = ["Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6]
    private static let decimal: [String: Int] = [
        "n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18,
    ]

    /// Parses a quantity; throws for empty, negative or unknown-unit input.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingBlanks
        guard !trimmed.isEmpty else { throw QuantityError.invalid(text, reason: "empty") }
        if trimmed.hasPrefix("-") { throw QuantityError.invalid(text, reason: "negative") }
        let body = trimmed.hasPrefix("+") ? String(trimmed.dropFirst()) : trimmed
        let numberPart = body.prefix(while: { $0.isNumber || $0 == "." })
        let suffix = String(body.dropFirst(numberPart.count))
        guard !numberPart.isEmpty, numberPart.filter({ $0 == "." }).count <= 1, numberPart != ".",
            let number = Decimal(string: String(numberPart), locale: nil)
        else { throw QuantityError.invalid(text, reason: "no number") }
        self.suffix = suffix
        self.value = number * (try Self.multiplier(of: suffix, in: text))
    }

    private init(value: Decimal, suffix: String) {
        self.value = value
        self.suffix = suffix
    }

    private static func multiplier(of suffix: String, in text: String) throws -> Decimal {
        if let power = binary[suffix] { return pow(Decimal(1024), power) }
        if let exponent = decimal[suffix] { return exponent >= 0 ? pow(10, exponent) : 1 / pow(10, -exponent) }
        if let first = suffix.first, first == "e" || first == "E", suffix.count > 1 {
            let digits = suffix.dropFirst()
            let negative = digits.hasPrefix("-")
            let magnitude = negative || digits.hasPrefix("+") ? digits.dropFirst() : digits
            if !magnitude.isEmpty, magnitude.allSatisfy(\.isNumber), let e = Int(magnitude), e <= 30 {
                return negative ? 1 / pow(10, e) : pow(10, e)
            }
        }
        throw QuantityError.invalid(text, reason: "unknown unit '\(suffix)'")
    }

    /// Multiplies, keeping the unit (millicores round up to a whole `m`).
    public func multiplied(by factor: Double) throws -> Quantity {
        guard factor > 0, factor.isFinite else {
            throw QuantityError.invalid("\(factor)", reason: "factor must be positive")
        }
        let f = Decimal(string: String(factor), locale: nil) ?? Decimal(factor)
        return Quantity(value: value * f, suffix: suffix)
    }

    /// The value written in this quantity's own unit: `2048Mi`, `2000m`, `1.5`.
    public var description: String {
        let unit = (try? Self.multiplier(of: suffix, in: suffix)) ?? 1
        var amount = value / unit
        if suffix == "m" || suffix == "n" || suffix == "u" {
            var rounded = Decimal()
            NSDecimalRound(&rounded, &amount, 0, .up)
            amount = rounded
        }
        return "\(amount)" + suffix
    }

    public static func == (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
    public static func < (lhs: Quantity, rhs: Quantity) -> Bool { lhs.value < rhs.value }
}

/// Why a quantity could not be read or computed.
public enum QuantityError: LocalizedError, Equatable {
    case invalid(String, reason: String)

    public var errorDescription: String? {
        switch self {
        case .invalid(let text, let reason):
            return "'\(text)' is not a Kubernetes quantity (\(reason)); write e.g. 500m, 2, 512Mi, 4Gi"
        }
    }
}

extension QuantityError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .invalid: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .invalid: return "bad-parameter"
        }
    }
}
