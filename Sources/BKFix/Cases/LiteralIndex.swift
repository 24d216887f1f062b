import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Finds, in one pass over a line, which rules' key literals it contains: a bigram table points each position at
/// the few literals starting with those two bytes, so cost grows with the line, not with the number of rules.
struct LiteralIndex {
    private struct Entry {
        var literal: [UInt8]
        var rules: [Int]
    }

    /// Bit per bigram (first two bytes of some literal).
    private var present = [UInt64](repeating: 0, count: 65536 / 64)
    private var entries: [UInt16: [Entry]] = [:]
    /// Rules without any literal: always candidates.
    private(set) var unfiltered: [Int] = []
    let ruleCount: Int

    /// `keys[i]` are the literals of rule i of which a matching line contains at least one (empty: no filter).
    init(keys: [[[UInt8]]]) {
        ruleCount = keys.count
        var byLiteral: [[UInt8]: [Int]] = [:]
        for (rule, literals) in keys.enumerated() {
            if literals.isEmpty || literals.contains(where: { $0.count < 2 }) {
                unfiltered.append(rule)
                continue
            }
            for literal in literals { byLiteral[literal, default: []].append(rule) }
        }
        for (literal, rules) in byLiteral {
            let bigram = UInt16(literal[0]) | UInt16(literal[1]) << 8
            present[Int(bigram) >> 6] |= 1 << UInt64(bigram & 63)
            entries[bigram, default: []].append(Entry(literal: literal, rules: rules))
        }
    }

    /// Marks in `hits` every rule whose key literal occurs in `line` (plus the unfiltered ones).
    func candidates(in line: UnsafeBufferPointer<UInt8>, into hits: inout [Bool]) {
        for rule in unfiltered { hits[rule] = true }
        guard line.count >= 2, let base = line.baseAddress else { return }
        present.withUnsafeBufferPointer { bits in
            for position in 0..<(line.count - 1) {
                let bigram = UInt16(base[position]) | UInt16(base[position + 1]) << 8
                guard bits[Int(bigram) >> 6] & (1 << UInt64(bigram & 63)) != 0 else { continue }
                for entry in entries[bigram]! where entry.literal.count <= line.count - position {
                    let same = entry.literal.withUnsafeBufferPointer {
                        memcmp(base + position, $0.baseAddress!, $0.count) == 0
                    }
                    if same { for rule in entry.rules { hits[rule] = true } }
                }
            }
        }
    }
}
