import Foundation

/// SplitMix64: a small, fast generator whose whole sequence follows from its seed, so a fuzz run that finds a
/// corruption can be replayed exactly. `BKFIX_FUZZ_SEED` overrides the fixed seeds to explore further.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// The seed to use: `BKFIX_FUZZ_SEED` (decimal or 0x-hex) when set, else `fixed`.
    static func seed(default fixed: UInt64) -> UInt64 {
        guard let text = ProcessInfo.processInfo.environment["BKFIX_FUZZ_SEED"] else { return fixed }
        if text.hasPrefix("0x") { return UInt64(text.dropFirst(2), radix: 16) ?? fixed }
        return UInt64(text) ?? fixed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `p`.
    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &self) < p }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
}

/// What a fuzz run saw; a corruption is an edit that changed something it was not asked to.
struct FuzzTally: CustomStringConvertible {
    var editor: String
    var seed: UInt64
    var cases = 0
    var edited = 0
    var unchanged = 0
    var refused: [String: Int] = [:]
    var corruptions: [String] = []
    /// A few inputs of each refusal kind, to see what the editor turns down.
    var samples: [String: [String]] = [:]

    mutating func refuse(_ reason: String, _ sample: @autoclosure () -> String) {
        refused[reason, default: 0] += 1
        if samples[reason, default: []].count < 3 { samples[reason, default: []].append(sample()) }
    }

    var description: String {
        let reasons = refused.keys.sorted().map { "\($0) \(refused[$0]!)" }.joined(separator: ", ")
        return "\(editor) fuzz: seed 0x\(String(seed, radix: 16)), \(cases) cases run, \(edited) edited, "
            + "\(unchanged) already so, \(refused.values.reduce(0, +)) refused (\(reasons)), "
            + "corruptions \(corruptions.count)"
    }
}
