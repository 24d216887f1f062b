import Foundation

/// Finds every occurrence of many literals in one pass over the bytes (Aho–Corasick, compiled to a dense automaton
/// over byte classes), so the cost of a chunk grows with its length, not with the number of rules.
///
/// Each byte costs one table load and an add: bytes that occur in no literal share class 0, a transition holds the
/// next state's row offset (no multiply on the path from one byte to the next), and one into a state where some
/// literal ends is stored negated, so the hot loop tests one sign instead of a second table.
struct LiteralAutomaton: Sendable {
    let patterns: [[UInt8]]
    /// Byte → class; 0 is every byte that occurs in no pattern.
    private let classOf: [UInt8]
    private let classCount: Int
    /// `transitions[row + class]`, where `row` is a state's row offset (`state * classCount`): the next state's row
    /// offset, or its bitwise complement when a pattern ends in that state.
    private let transitions: [Int32]
    /// The patterns that end in each state (its own and those reached through failure links).
    private let outputs: [[Int32]]

    init(patterns: [[UInt8]]) {
        self.patterns = patterns
        var classOf = [UInt8](repeating: 0, count: 256)
        var classCount = 1
        for pattern in patterns {
            for byte in pattern where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = UInt8(classCount)
                classCount += 1
            }
        }
        // The trie, with -1 for a missing edge.
        var trie: [[Int32]] = [[Int32](repeating: -1, count: classCount)]
        var own: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var state = 0
            for byte in pattern {
                let c = Int(classOf[Int(byte)])
                if trie[state][c] < 0 {
                    trie[state][c] = Int32(trie.count)
                    trie.append([Int32](repeating: -1, count: classCount))
                    own.append([])
                }
                state = Int(trie[state][c])
            }
            own[state].append(Int32(index))
        }
        // Breadth first: fill missing edges from the failure state and inherit its outputs.
        var failure = [Int](repeating: 0, count: trie.count)
        var queue: [Int] = []
        for c in 0..<classCount {
            if trie[0][c] < 0 {
                trie[0][c] = 0
            } else {
                queue.append(Int(trie[0][c]))
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            own[state] += own[failure[state]]
            for c in 0..<classCount {
                let next = trie[state][c]
                if next < 0 {
                    trie[state][c] = trie[failure[state]][c]
                } else {
                    failure[Int(next)] = Int(trie[failure[state]][c])
                    queue.append(Int(next))
                }
            }
        }
        var transitions = [Int32](repeating: 0, count: trie.count * classCount)
        for state in trie.indices {
            for c in 0..<classCount {
                let next = Int(trie[state][c])
                let row = Int32(next * classCount)
                transitions[state * classCount + c] = own[next].isEmpty ? row : ~row
            }
        }
        self.classOf = classOf
        self.classCount = classCount
        self.transitions = transitions
        self.outputs = own
    }

    /// Appends to `ends` the end offset (exclusive) of every occurrence in `bytes[from..<to]`, in order (an offset
    /// may repeat when several patterns end there).
    ///
    /// The range is cut at newlines into four parts searched in one loop, each with its own state: the four table
    /// loads do not wait for each other, so the loop runs near memory speed instead of at the latency of one load per
    /// byte. No pattern holds a newline, so none is lost at a cut.
    func ends(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, into ends: inout [Int]) {
        guard from < to, let base = bytes.baseAddress else { return }
        var cuts = [from]
        for k in 1..<4 {
            let guess = from + (to - from) * k / 4
            let cut = max(cuts[k - 1], (ByteSearch.first(0x0A, in: bytes, from: guess, to: to) ?? to - 1) + 1)
            cuts.append(min(cut, to))
        }
        cuts.append(to)
        var found: [[Int]] = [[], [], [], []]
        transitions.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { classes in
                var (s0, s1, s2, s3) = (0, 0, 0, 0)
                var (i0, i1, i2, i3) = (cuts[0], cuts[1], cuts[2], cuts[3])
                let (e0, e1, e2, e3) = (cuts[1], cuts[2], cuts[3], cuts[4])
                let common = min(e0 - i0, e1 - i1, e2 - i2, e3 - i3)
                for _ in 0..<common {
                    let n0 = table[s0 &+ Int(classes[Int(base[i0])])]
                    let n1 = table[s1 &+ Int(classes[Int(base[i1])])]
                    let n2 = table[s2 &+ Int(classes[Int(base[i2])])]
                    let n3 = table[s3 &+ Int(classes[Int(base[i3])])]
                    i0 &+= 1
                    i1 &+= 1
                    i2 &+= 1
                    i3 &+= 1
                    if (n0 | n1 | n2 | n3) < 0 {
                        if n0 < 0 { found[0].append(i0) }
                        if n1 < 0 { found[1].append(i1) }
                        if n2 < 0 { found[2].append(i2) }
                        if n3 < 0 { found[3].append(i3) }
                    }
                    s0 = Int(n0 < 0 ? ~n0 : n0)
                    s1 = Int(n1 < 0 ? ~n1 : n1)
                    s2 = Int(n2 < 0 ? ~n2 : n2)
                    s3 = Int(n3 < 0 ? ~n3 : n3)
                }
                for (part, (start, state), end) in [
                    (0, (i0, s0), e0), (1, (i1, s1), e1), (2, (i2, s2), e2), (3, (i3, s3), e3),
                ] {
                    var s = state
                    var i = start
                    while i < end {
                        let n = table[s &+ Int(classes[Int(base[i])])]
                        i &+= 1
                        if n < 0 { found[part].append(i) }
                        s = Int(n < 0 ? ~n : n)
                    }
                }
            }
        }
        for part in found { ends += part }
    }

    /// Calls `found(pattern, end)` for every occurrence in `bytes[from..<to]` (end offsets exclusive, in order).
    func forEachMatch(in bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int, _ found: (Int, Int) -> Void) {
        guard from < to, let base = bytes.baseAddress else { return }
        let width = classCount
        transitions.withUnsafeBufferPointer { table in
            classOf.withUnsafeBufferPointer { classes in
                var row = 0
                var i = from
                while i < to {
                    let next = Int(table[row &+ Int(classes[Int(base[i])])])
                    i &+= 1
                    if next < 0 {
                        row = ~next
                        for pattern in outputs[row / width] { found(Int(pattern), i) }
                    } else {
                        row = next
                    }
                }
            }
        }
    }
}
