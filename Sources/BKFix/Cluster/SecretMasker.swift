import Foundation

/// Hides secret values in collected text: `password: x`, `TOKEN=x`, `--secret-key x`, `https://user:pass@host`.
public enum SecretMasker {
    public static let mask = "******"

    private static let keyed = try! NSRegularExpression(
        pattern:
            #"(?i)((?:[A-Za-z0-9_.-]*(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*)["']?\s*[:=]\s*)(["']?)(?!<)(?!\*{6})([^\s"',;}]+)"#
    )
    private static let flag = try! NSRegularExpression(
        pattern: #"(?i)(--[a-z-]*(?:password|token|secret)[a-z-]*[ =])(?!\*{6})(\S+)"#)
    private static let userinfo = try! NSRegularExpression(pattern: #"(://[^/\s:@]+:)([^@\s/]+)(@)"#)
    private static let bearer = try! NSRegularExpression(pattern: #"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{8,})"#)

    /// The text with every secret-looking value replaced by `******`; everything else is unchanged.
    public static func apply(_ text: String) -> String {
        var out = text
        out = replace(keyed, in: out, template: "$1$2\(mask)")
        out = replace(flag, in: out, template: "$1\(mask)")
        out = replace(userinfo, in: out, template: "$1\(mask)$3")
        out = replace(bearer, in: out, template: "$1\(mask)")
        return out
    }

    private static func replace(_ regex: NSRegularExpression, in text: String, template: String) -> String {
        regex.stringByReplacingMatches(
            in: text, range: NSRange(location: 0, length: (text as NSString).length), withTemplate: template)
    }
}
