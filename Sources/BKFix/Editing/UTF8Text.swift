import Foundation

/// The text of a YAML file an editor is about to change, refused when it is not UTF-8: decoding would turn each bad
/// byte (a GBK-encoded comment, say) into U+FFFD and the write would silently change bytes nobody asked to change.
public enum UTF8Text {
    /// `data` as a String, or `YAMLSpliceError.notYAML` naming the first line that is not UTF-8.
    public static func decode(_ data: Data, file: String) throws -> String {
        if let text = String(validating: data, as: UTF8.self) { return text }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let bad = lines.firstIndex { String(validating: $0, as: UTF8.self) == nil } ?? 0
        throw YAMLSpliceError.notYAML(
            file: file, line: bad + 1,
            reason: "not UTF-8 text (a GBK comment?); convert it with iconv -f GBK -t UTF-8")
    }
}
