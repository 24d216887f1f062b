import Foundation

/// Aho–Corasick kept as a trie with failure links, for one line at a time: a few bytes per literal byte instead of a
/// table row per state, at the price of following failure links. `LiteralAutomaton` is the dense form that searches
/// whole chunks; this one names, in a candidate line, every literal of every rule and context trigger.
struct LiteralTrie: Sendable {
    let patterns: [[UInt8]]
    /// The root's edges as a table (most steps start there).
    private let rootNext: [Int32]
    /// Each other state's edges: `edgeBytes/edgeTargets[edgeStart[s] ..< edgeStart[s + 1]]`.
    private let edgeStart: [Int32]
    private let edgeBytes: [UInt8]
    private let edgeTargets: [Int32]
    private let failure: [Int32]
    /// The patterns that end in each state (its own and those reached through failure links).
    private let outputs: [[Int32]]

    init(patterns: [[UInt8]]) {
        self.patterns = patterns
        var children: [[UInt8: Int]] = [[:]]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var state = 0
            for byte in pattern {
                if let next = children[state][byte] {
                    state = next
                } else {
                    children.append([:])
                    own.append([])
                    children[state][byte] = children.count - 1
                    state = children.count - 1
                }
            }
            own[state].append(Int32(index))
        }
        var failure = [Int](repeating: 0, count: children.count)
        var queue = children[0].values.sorted()
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            for (byte, next) in children[state].sorted(by: { $0.key < $1.key }) {
                var f = failure[state]
                while f != 0, children[f][byte] == nil { f = failure[f] }
                failure[next] = children[f][byte].map { $0 == next ? 0 : $0 } ?? 0
                own[next] += own[failure[next]]
                queue.append(next)
            }
        }
        var rootNext = [Int32](repeating: 0, count: 256)
        for (byte, next) in children[0] { rootNext[Int(byte)] = Int32(next) }
        var starts: [Int32] = []
        var bytes: [UInt8] = []
        var targets: [Int32] = []
        for edges in children {
            starts.append(Int32(bytes.count))
            for (byte, next) in edges.sorted(by: { $0.key < $1.key }) {
                bytes.append(byte)
                targets.append(Int32(next))
            }
        }
        starts.append(Int32(bytes.count))
        self.rootNext = rootNext
        self.edgeStart = starts
        self.edgeBytes = bytes
        self.edgeTargets = targets
        self.failure = failure.map { Int32($0) }
        self.outputs = own
    }

    private func child(_ state: Int, _ byte: UInt8) -> Int? {
        if state == 0 { return Int(rootNext[Int(byte)]) }
        for edge in Int(edgeStart[state])..<Int(edgeStart[state + 1]) where edgeBytes[edge] == byte {
            return Int(edgeTargets[edge])
        }
        return nil
    }

    /// Calls `found(pattern, end)` for every occurrence in `bytes[from..<to]` (end offsets exclusive, in order).
    func forEachMatch(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, _ found: (Int, Int) -> Void) {
        var state = 0
        for i in from..<max(from, to) {
            let byte = bytes[i]
            while true {
                if let next = child(state, byte) {
                    state = next
                    break
                }
                state = Int(failure[state])
            }
            for pattern in outputs[state] { found(Int(pattern), i + 1) }
        }
    }
}
