import Foundation

/// Renders a small aligned text table (probe results, audits), counting CJK characters as two columns.
public enum ProbeTable {
    public static func render(header: [String], rows: [[String]]) -> [String] {
        let all = [header] + rows
        let columns = all.map(\.count).max() ?? 0
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], displayWidth(cell)) }
        }
        return all.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - displayWidth(cell))
            }.joined(separator: "  ")
        }
    }

    /// Terminal columns a string takes: wide (CJK) characters count two.
    static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { total, scalar in
            let v = scalar.value
            let wide =
                (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v)
            return total + (wide ? 2 : 1)
        }
    }
}
