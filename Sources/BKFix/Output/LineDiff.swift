import Foundation

/// A run of removed lines `a[aStart..<aEnd]` replaced by `b[bStart..<bEnd]`.
struct LineChange: Equatable {
    var aStart: Int
    var aEnd: Int
    var bStart: Int
    var bEnd: Int
}

/// Myers' O(ND) diff in linear space (middle-snake bisection). Its cost grows with the number of changed lines, so
/// a region whose edit distance passes `costLimit` is reported as replaced whole instead of searched further, as GNU
/// diff's heuristics do: a rewritten big file costs linear time, not quadratic.
enum LineDiff {
    static let costLimit = 4096

    static func changes(_ a: HashedLines, _ b: HashedLines) -> [LineChange] {
        var matchedA = [Bool](repeating: false, count: a.count)
        var matchedB = [Bool](repeating: false, count: b.count)
        compare(Pair(a: a, b: b), 0, a.count, 0, b.count, &matchedA, &matchedB)
        // Walk both files together; every stretch of unmatched lines between matches is one change.
        var result: [LineChange] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count && j < b.count && matchedA[i] && matchedB[j] {
                i += 1
                j += 1
                continue
            }
            let aStart = i
            let bStart = j
            while i < a.count && !matchedA[i] { i += 1 }
            while j < b.count && !matchedB[j] { j += 1 }
            result.append(LineChange(aStart: aStart, aEnd: i, bStart: bStart, bEnd: j))
        }
        return result
    }

    /// The two sides, compared line by line.
    private struct Pair {
        let a: HashedLines
        let b: HashedLines

        @inline(__always) func same(_ i: Int, _ j: Int) -> Bool { a.same(i, b, j) }
    }

    /// Marks the lines of a[xLo..<xHi] and b[yLo..<yHi] that belong to a longest common subsequence.
    private static func compare(
        _ lines: Pair, _ xLo: Int, _ xHi: Int, _ yLo: Int, _ yHi: Int, _ matchedA: inout [Bool],
        _ matchedB: inout [Bool]
    ) {
        var xLo = xLo
        var yLo = yLo
        var xHi = xHi
        var yHi = yHi
        while xLo < xHi && yLo < yHi && lines.same(xLo, yLo) {
            matchedA[xLo] = true
            matchedB[yLo] = true
            xLo += 1
            yLo += 1
        }
        while xLo < xHi && yLo < yHi && lines.same(xHi - 1, yHi - 1) {
            matchedA[xHi - 1] = true
            matchedB[yHi - 1] = true
            xHi -= 1
            yHi -= 1
        }
        if xLo == xHi || yLo == yHi { return }
        guard let (splitX, splitY) = middleSnake(lines, xLo, xHi, yLo, yHi),
            (splitX, splitY) != (xLo, yLo), (splitX, splitY) != (xHi, yHi)
        else { return }
        compare(lines, xLo, splitX, yLo, splitY, &matchedA, &matchedB)
        compare(lines, splitX, xHi, splitY, yHi, &matchedA, &matchedB)
    }

    /// A point on an optimal path splitting the problem in two (nil: nothing in common, or too costly to find).
    private static func middleSnake(_ lines: Pair, _ xLo: Int, _ xHi: Int, _ yLo: Int, _ yHi: Int) -> (Int, Int)? {
        let n = xHi - xLo
        let m = yHi - yLo
        let maxD = min((n + m + 1) / 2, costLimit)
        let offset = maxD
        let length = 2 * maxD + 2
        var forward = [Int](repeating: -1, count: length)
        var backward = [Int](repeating: -1, count: length)
        forward[offset + 1] = 0
        backward[offset + 1] = 0
        let delta = n - m
        let frontCheck = delta % 2 != 0
        var k1Start = 0
        var k1End = 0
        var k2Start = 0
        var k2End = 0
        for d in 0..<maxD {
            var k1 = -d + k1Start
            while k1 <= d - k1End {
                let k1Offset = offset + k1
                var x1 =
                    (k1 == -d || (k1 != d && forward[k1Offset - 1] < forward[k1Offset + 1]))
                    ? forward[k1Offset + 1] : forward[k1Offset - 1] + 1
                var y1 = x1 - k1
                while x1 < n && y1 < m && lines.same(xLo + x1, yLo + y1) {
                    x1 += 1
                    y1 += 1
                }
                forward[k1Offset] = x1
                if x1 > n {
                    k1End += 2
                } else if y1 > m {
                    k1Start += 2
                } else if frontCheck {
                    let k2Offset = offset + delta - k1
                    if k2Offset >= 0 && k2Offset < length && backward[k2Offset] != -1 {
                        if x1 >= n - backward[k2Offset] { return (xLo + x1, yLo + y1) }
                    }
                }
                k1 += 2
            }
            var k2 = -d + k2Start
            while k2 <= d - k2End {
                let k2Offset = offset + k2
                var x2 =
                    (k2 == -d || (k2 != d && backward[k2Offset - 1] < backward[k2Offset + 1]))
                    ? backward[k2Offset + 1] : backward[k2Offset - 1] + 1
                var y2 = x2 - k2
                while x2 < n && y2 < m && lines.same(xLo + n - x2 - 1, yLo + m - y2 - 1) {
                    x2 += 1
                    y2 += 1
                }
                backward[k2Offset] = x2
                if x2 > n {
                    k2End += 2
                } else if y2 > m {
                    k2Start += 2
                } else if !frontCheck {
                    let k1Offset = offset + delta - k2
                    if k1Offset >= 0 && k1Offset < length && forward[k1Offset] != -1 {
                        let x1 = forward[k1Offset]
                        let y1 = offset + x1 - k1Offset
                        if x1 >= n - x2 { return (xLo + x1, yLo + y1) }
                    }
                }
                k2 += 2
            }
        }
        return nil
    }
}
