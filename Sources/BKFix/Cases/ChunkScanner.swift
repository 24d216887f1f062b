import Foundation

/// Streams bytes to a `LineScanner` a chunk at a time, in memory bounded by one chunk, one (capped) line and the
/// last `window` lines.
///
/// A chunk's complete lines are searched as one block: the `lines` automaton runs over all of them and names the few
/// lines holding a rule's literal; only those are handed on (as slices of the chunk, never copied), the others are
/// only counted. Context (which release, namespace, pod, node the text names) matters only near evidence: when a
/// case that takes context gets primary evidence, the `window` lines before it are read for context (from the chunk,
/// or from the copy of the previous chunk's last lines), and so are the `window` lines after it.
struct ChunkScanner {
    var scanner: LineScanner
    let maxLineBytes: Int
    static let window = ContextFact.maxReach
    private let automaton: LiteralAutomaton
    /// The start of a line that the previous chunk did not finish (at most `maxLineBytes`).
    private var carry: [UInt8] = []
    private var carrying = false
    /// Lines read so far.
    private var lines = 0
    /// Lines up to this one are read for context (the window after evidence).
    private var contextUntil = 0
    /// The last line read for context.
    private var contextReadTo = 0
    /// The last `window` complete lines before the current chunk's block (each capped, each ending in a newline).
    private var history: [UInt8] = []
    private var historyLines = 0
    private var hitEnds: [Int] = []

    init(scanner: LineScanner, maxLineBytes: Int) {
        self.scanner = scanner
        self.maxLineBytes = maxLineBytes
        self.automaton = scanner.patterns.lines
    }

    mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) {
        var start = 0
        if carrying {
            guard let newline = ByteSearch.first(0x0A, in: chunk, from: 0, to: chunk.count) else {
                keep(UnsafeBufferPointer(rebasing: chunk[...]))
                return
            }
            keep(UnsafeBufferPointer(rebasing: chunk[..<newline]))
            emitCarry()
            start = newline + 1
        }
        let end = (ByteSearch.last(0x0A, in: chunk, from: start, to: chunk.count) ?? (start - 1)) + 1
        scanBlock(chunk, from: start, to: end)
        remember(chunk, from: start, to: end)
        if end < chunk.count { keep(UnsafeBufferPointer(rebasing: chunk[end...])) }
    }

    /// Scans the last line when the input does not end with a newline.
    mutating func finish() {
        if carrying, !carry.isEmpty { emitCarry() }
        carrying = false
    }

    private mutating func keep(_ piece: UnsafeBufferPointer<UInt8>) {
        carrying = true
        let room = maxLineBytes - carry.count
        if room > 0 { carry.append(contentsOf: piece.prefix(room)) }
    }

    /// Scans the line that crossed a chunk boundary; it joins the history, since the block after it starts anew.
    private mutating func emitCarry() {
        lines += 1
        var line = carry
        carry = []
        line.withUnsafeBufferPointer { scanLine($0, number: lines, before: UnsafeBufferPointer(start: nil, count: 0)) }
        line.append(0x0A)
        line.withUnsafeBufferPointer { appendHistory($0, lines: 1) }
        line.removeAll(keepingCapacity: true)
        carry = line
        carrying = false
    }

    /// Scans `bytes[from..<to]`, which is empty or ends with a newline.
    private mutating func scanBlock(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) {
        hitEnds.removeAll(keepingCapacity: true)
        if scanner.patterns.unfilteredRules.isEmpty { automaton.ends(in: bytes, from: from, to: to, into: &hitEnds) }
        var next = 0
        var position = from
        while position < to {
            if !scanner.patterns.unfilteredRules.isEmpty || lines < contextUntil {
                let end = ByteSearch.first(0x0A, in: bytes, from: position, to: to)!
                lines += 1
                scanLine(capped(bytes, position, end), number: lines, before: rebased(bytes, from, position))
                position = end + 1
                continue
            }
            while next < hitEnds.count, hitEnds[next] <= position { next += 1 }
            guard next < hitEnds.count else {
                lines += ByteSearch.newlines(in: bytes, from: position, to: to)
                return
            }
            let hitEnd = hitEnds[next]
            let lineStart = (ByteSearch.last(0x0A, in: bytes, from: position, to: hitEnd) ?? (position - 1)) + 1
            let lineEnd = ByteSearch.first(0x0A, in: bytes, from: hitEnd, to: to)!
            lines += ByteSearch.newlines(in: bytes, from: position, to: lineStart) + 1
            if hitEnd <= lineStart + maxLineBytes {
                scanLine(capped(bytes, lineStart, lineEnd), number: lines, before: rebased(bytes, from, lineStart))
            }
            position = lineEnd + 1
        }
    }

    /// Scans one line; `before` holds the block's lines before it, for looking back when it is evidence.
    private mutating func scanLine(_ raw: UnsafeBufferPointer<UInt8>, number: Int, before: UnsafeBufferPointer<UInt8>) {
        let inWindow = number <= contextUntil
        let opens = scanner.scan(raw: raw, number: number, context: inWindow)
        if inWindow {
            contextReadTo = number
            // A table or `ARGS:` block that runs past the window is read to its end.
            if number == contextUntil, scanner.readsContextBlock { contextUntil += 1 }
        }
        guard opens else { return }
        if !inWindow {
            scanner.restartContext()
            lookBack(from: number, before: before)
            scanner.scan(raw: raw, number: number, rules: false, context: true)
            contextReadTo = number
        }
        contextUntil = number + Self.window
    }

    /// Reads for context the lines before line `number` not read yet (at most `window`): from `before`, then, when it
    /// holds too few, from the history.
    private mutating func lookBack(from number: Int, before: UnsafeBufferPointer<UInt8>) {
        let wanted = min(Self.window, number - 1 - contextReadTo)
        guard wanted > 0 else { return }
        var starts: [Int] = []
        var end = before.count
        while starts.count < wanted, end > 0 {
            let start = (ByteSearch.last(0x0A, in: before, from: 0, to: end - 1) ?? -1) + 1
            starts.append(start)
            end = start
        }
        let fromHistory = min(wanted - starts.count, historyLines)
        var first = number - starts.count - fromHistory
        if fromHistory > 0 {
            history.withUnsafeBufferPointer { buffer in
                var start = buffer.count
                for _ in 0..<fromHistory {
                    start = (ByteSearch.last(0x0A, in: buffer, from: 0, to: start - 1) ?? -1) + 1
                }
                while start < buffer.count {
                    let lineEnd = ByteSearch.first(0x0A, in: buffer, from: start, to: buffer.count)!
                    scanner.scan(raw: rebased(buffer, start, lineEnd), number: first, rules: false, context: true)
                    first += 1
                    start = lineEnd + 1
                }
            }
        }
        for start in starts.reversed() {
            let lineEnd = ByteSearch.first(0x0A, in: before, from: start, to: before.count) ?? before.count
            scanner.scan(raw: capped(before, start, lineEnd), number: first, rules: false, context: true)
            first += 1
        }
    }

    /// Keeps the last `window` lines of the block for a look back from the next chunk.
    private mutating func remember(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, to: Int) {
        var start = to
        var count = 0
        while count < Self.window, start > from {
            start = (ByteSearch.last(0x0A, in: bytes, from: from, to: start - 1) ?? (from - 1)) + 1
            count += 1
        }
        var piece: [UInt8] = []
        var at = start
        while at < to {
            let end = ByteSearch.first(0x0A, in: bytes, from: at, to: to)!
            piece.append(contentsOf: capped(bytes, at, end))
            piece.append(0x0A)
            at = end + 1
        }
        piece.withUnsafeBufferPointer { appendHistory($0, lines: count) }
    }

    private mutating func appendHistory(_ piece: UnsafeBufferPointer<UInt8>, lines count: Int) {
        history.append(contentsOf: piece)
        historyLines += count
        guard historyLines > Self.window else { return }
        let excess = historyLines - Self.window
        let drop = history.withUnsafeBufferPointer { buffer in
            var drop = 0
            for _ in 0..<excess {
                drop = (ByteSearch.first(0x0A, in: buffer, from: drop, to: buffer.count) ?? buffer.count - 1) + 1
            }
            return drop
        }
        history.removeFirst(drop)
        historyLines = Self.window
    }

    private func capped(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[start..<min(end, start + maxLineBytes)])
    }

    private func rebased(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}
