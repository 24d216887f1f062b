import Foundation

/// The one secret masker for everything bkfix displays or exports (plan, show, history, notes, params, `collect`,
/// `--json`), and it counts what it hid so the output can say so. The state repo keeps the real bytes: rollback
/// needs them; only what is shown or exported is masked.
///
/// What is masked:
/// - the value of a key named like a secret (`password`, `passwd`, `pwd`, `token`, `secret`, `key`, `credential`,
///   as the last word of the key: `rootPassword`, `bk_app_secret`, `MYSQL_ROOT_PASSWORD`, `accessKey`), after `:` or
///   `=`, quoted or not, and the new value after an arrow (`password: old → new`); the same for `--flag value`;
/// - the password of `scheme://user:password@host`;
/// - bearer tokens and `Authorization: Basic` credentials;
/// - long base64 runs (40+ characters mixing upper case, lower case and digits: keys, certificates, JWTs).
///
/// What is kept (decided so that everyday BlueKing output stays readable): image names and tags, hostnames, paths,
/// and hex digests (`sha256:...`, commit ids, container ids), which identify rather than authorize; a bare `key:`
/// (Kubernetes label, toleration and selector keys), `PWD`, and `existing...` keys, which name a Secret rather than
/// hold one; values that are references, not secrets: empty, `null`, booleans, `{{ template }}`, `${VAR}`, and
/// kubectl's `<set to the key ...>`.
public struct SecretMasker: Sendable {
    public static let mask = "******"
    /// How many masked values the output shows: the `******` in every text this masker returned (so a value that
    /// was masked before, as in a recorded diff, counts once where it is shown).
    public private(set) var count = 0

    public init() {}

    /// Masks `text` in one go, for callers that do not report a count.
    public static func apply(_ text: String) -> String {
        var masker = SecretMasker()
        return masker.text(text)
    }

    // MARK: - Keys

    /// Words that make a key secret when they end it.
    static let secretWords = ["password", "passwd", "pwd", "token", "secret", "key", "credential", "credentials"]
    /// Words that end a secret key even glued to the word before (`rootpassword`); `key` and `pwd` need a boundary
    /// (`monkey`, `cwd`-like names) unless the whole name is one of `gluedKeys`.
    static let gluedWords = ["password", "passwd", "token", "secret", "credential", "credentials"]
    static let gluedKeys: Set<String> = ["apikey", "accesskey", "secretkey", "privatekey", "appkey", "dbpwd"]
    static let notSecretKeys: Set<String> = ["key", "pwd", "oldpwd"]

    /// Whether a key (`mysql.rootPassword`, `--db-password`, `"token"`) names a secret.
    public static func isSecretKey(_ name: String) -> Bool {
        var key = name.trimmingCharacters(in: CharacterSet(charactersIn: "\"'-"))
        if let dot = key.lastIndex(of: ".") { key = String(key[key.index(after: dot)...]) }
        let lower = key.lowercased()
        guard !lower.isEmpty, !notSecretKeys.contains(lower), !lower.hasPrefix("existing") else { return false }
        if gluedKeys.contains(lower) || gluedWords.contains(where: { lower.hasSuffix($0) }) { return true }
        // The last word: after the last `_` or `-`, or the last camel-case hump (`accessKey` -> `Key`).
        let separated = key.split(whereSeparator: { $0 == "_" || $0 == "-" }).last.map(String.init) ?? key
        var lastWord = separated
        if let hump = separated.lastIndex(where: \.isUppercase),
            separated[hump...].dropFirst().contains(where: \.isLowercase)
        {
            lastWord = String(separated[hump...])
        }
        return secretWords.contains(lastWord.lowercased())
    }

    /// Whether a value is one to hide, not a reference or a placeholder.
    static func isSecretValue(_ value: String) -> Bool {
        let v = value.trimmingCharacters(in: .whitespaces)
        if v.isEmpty || v.hasPrefix("{{") || v.hasPrefix("${") || v.hasPrefix("$(") || v.hasPrefix("<") { return false }
        return !["null", "~", "true", "false", "yes", "no", "|", ">", "|-", ">-"].contains(v.lowercased())
    }

    // MARK: - Text

    private static let keyWords = "(?:password|passwd|pwd|token|secret|key|credentials?)"
    // Every repetition before a fixed word is bounded, and every run that never needs to give back is possessive
    // (`++`): a 100 KB line of letters would otherwise be quadratic, or overflow ICU's backtracking stack, which
    // makes it report no match at all, so a long secret would go through unmasked.
    /// `key: value`, `key=value`, `"key": "value"`, with an optional `→ new` after the value.
    private static let keyed = try! NSRegularExpression(
        pattern: #"(?i)(?<![A-Za-z0-9_.\-])([A-Za-z0-9_.\-]{0,64}"# + keyWords
            + #"[A-Za-z0-9_]{0,32})(["']?[ \t]*[:=][ \t]*)("[^"\n]*+"|'[^'\n]*+'|[^\s"',;}\]]++)(?:([ \t]*(?:→|->)[ \t]*)("[^"\n]*+"|'[^'\n]*+'|[^\s"',;}\]]++))?"#
    )
    /// `--password value` (the `=` form is `keyed`'s).
    private static let flag = try! NSRegularExpression(
        pattern: #"(?i)(?<![\w-])(--?[A-Za-z0-9-]{0,64}"# + keyWords + #"[A-Za-z0-9-]{0,32})([ \t]+)(?!-)([^\s"']++)"#)
    private static let userinfo = try! NSRegularExpression(
        pattern: #"(?<![A-Za-z0-9+.-])([A-Za-z][A-Za-z0-9+.-]{0,31}://[^/\s:@]{1,255}:)([^@\s/]{1,255})(@)"#)
    private static let bearer = try! NSRegularExpression(
        pattern: #"(?i)(\bbearer[ \t]+|\bauthorization:[ \t]*basic[ \t]+)([A-Za-z0-9._~+/=-]{8,}+)"#)
    private static let base64Run = try! NSRegularExpression(
        pattern: #"(?<![A-Za-z0-9+/=_-])[A-Za-z0-9+/_-]{40,}+={0,2}+(?![A-Za-z0-9+/=_-])"#)

    /// The text with every secret-looking value replaced by `******`; everything else byte for byte.
    public mutating func text(_ text: String) -> String {
        // Most text holds no trigger at all (history's ids, paths, names): returned as it is, with no copy.
        var probe = text
        guard probe.withUTF8({ Self.mayHoldSecret($0, 0, $0.count) }) else { return text }
        let out = Self.masked(text)
        count += Self.occurrences(of: Self.mask, in: out)
        return out
    }

    /// Line by line: a line with no trigger (a secret word, `://`, a 40-character base64 run) is copied as it is,
    /// so the regular expressions only see the few lines that may hold a secret (a 100 MB `describe` stays fast).
    private static func masked(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var start = 0
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 0x0A { end += 1 }
            if mayHoldSecret(bytes, start, end) {
                out += maskedLine(String(decoding: bytes[start..<end], as: UTF8.self)).utf8
            } else {
                out += bytes[start..<end]
            }
            if end < bytes.count { out.append(0x0A) }
            start = end + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lower-case trigger words: every pattern needs one of them (or a long base64 run) to match.
    private static let triggers: [[UInt8]] = [
        "pass", "pwd", "token", "secret", "key", "credential", "://", "bearer", "basic",
    ].map { Array($0.utf8) }

    /// Whether bytes[start..<end] holds a trigger word (any case) or a run of 40 base64 characters with upper- and
    /// lower-case letters and a digit (the only runs `looksLikeBase64Secret` masks: a hex digest such as a commit id
    /// never reaches the regular expressions).
    static func mayHoldSecret<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, _ start: Int, _ end: Int) -> Bool
    where Bytes.Index == Int {
        var run = 0
        var classes: UInt8 = 0  // 1 upper, 2 lower, 4 digit, seen in the current run
        var i = start
        while i < end {
            let byte = bytes[i]
            let lower = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
            switch byte {
            case 0x41...0x5A: classes |= 1
            case 0x61...0x7A: classes |= 2
            case 0x30...0x39: classes |= 4
            default: break
            }
            switch lower {
            case 0x61...0x7A, 0x30...0x39, 0x2B, 0x2F, 0x5F, 0x2D:
                run += 1
                if run >= 40 && classes == 7 { return true }
            default:
                run = 0
                classes = 0
            }
            switch lower {
            case 0x70, 0x74, 0x73, 0x6B, 0x63, 0x3A, 0x62:  // p t s k c : b
                for word in triggers where word[0] == lower && i + word.count <= end {
                    var matched = true
                    for k in 1..<word.count {
                        let b = bytes[i + k]
                        if (b >= 0x41 && b <= 0x5A ? b | 0x20 : b) != word[k] {
                            matched = false
                            break
                        }
                    }
                    if matched { return true }
                }
            default: break
            }
            i += 1
        }
        return false
    }

    private static func maskedLine(_ text: String) -> String {
        var out = text
        out = Self.replace(Self.keyed, in: out) { _, groups in
            guard Self.isSecretKey(groups[1]) else { return nil }
            var pieces = [groups[1], groups[2], Self.maskValue(groups[3])]
            if !groups[4].isEmpty { pieces += [groups[4], Self.maskValue(groups[5])] }
            return pieces.joined()
        }
        out = Self.replace(Self.flag, in: out) { _, groups in
            guard Self.isSecretKey(groups[1]), Self.isSecretValue(groups[3]) || groups[3] == Self.mask else {
                return nil
            }
            return groups[1] + groups[2] + Self.maskValue(groups[3])
        }
        out = Self.replace(Self.userinfo, in: out) { _, groups in groups[1] + Self.maskValue(groups[2]) + groups[3] }
        out = Self.replace(Self.bearer, in: out) { _, groups in groups[1] + Self.maskValue(groups[2]) }
        out = Self.replace(Self.base64Run, in: out) { match, _ in
            Self.looksLikeBase64Secret(match) ? Self.mask : nil
        }
        return out
    }

    /// A value shown under a key: all of it masked when the key names a secret, else its text masked.
    public mutating func value(_ value: String, key: String) -> String {
        if Self.isSecretKey(key) && (Self.isSecretValue(value) || value == Self.mask) {
            count += 1
            return Self.mask
        }
        return text(value)
    }

    /// An argv: each word's text masked, and the word after a secret flag written apart (`--password`, `x`).
    public mutating func argv(_ words: [String]) -> [String] {
        var out: [String] = []
        var hideNext = false
        for word in words {
            if hideNext && !word.hasPrefix("-") && (Self.isSecretValue(word) || word == Self.mask) {
                count += 1
                out.append(Self.mask)
                hideNext = false
                continue
            }
            hideNext = word.hasPrefix("-") && !word.contains("=") && Self.isSecretKey(word)
            out.append(text(word))
        }
        return out
    }

    /// A JSON value (from JSONSerialization): strings under secret keys masked whole, every other string's text
    /// masked, string arrays masked as argv.
    public mutating func json(_ object: Any, key: String? = nil) -> Any {
        switch object {
        case let dict as [String: Any]:
            var out: [String: Any] = [:]
            for (k, v) in dict { out[k] = json(v, key: k) }
            return out
        case let strings as [String]:
            return argv(strings)
        case let array as [Any]:
            return array.map { json($0, key: key) }
        case let string as String:
            return key.map { value(string, key: $0) } ?? text(string)
        default:
            return object
        }
    }

    /// "masked 3 secret-looking values ..." for the end of an output, or nil when nothing was masked.
    public func summary(_ language: Language) -> String? { Self.summary(count: count, language) }

    /// The same line for a count kept elsewhere (`collect`'s result).
    public static func summary(count: Int, _ language: Language) -> String? {
        guard count > 0 else { return nil }
        return Localized(
            zh: "已隐藏 \(count) 个疑似密钥的值", en: "masked \(count) secret-looking value\(count == 1 ? "" : "s")"
        ).text(language)
    }

    // MARK: - Helpers

    /// The mask for a value, keeping its quotes; a reference or placeholder stays as it is.
    private static func maskValue(_ raw: String) -> String {
        var quote = ""
        var inner = raw
        if let first = raw.first, first == "\"" || first == "'", raw.count >= 2, raw.last == first {
            quote = String(first)
            inner = String(raw.dropFirst().dropLast())
        }
        guard isSecretValue(inner) else { return raw }
        return quote + mask + quote
    }

    private static func occurrences(of needle: String, in text: String) -> Int {
        guard text.contains(needle) else { return 0 }
        return text.components(separatedBy: needle).count - 1
    }

    /// A run of base64 that is a credential, not a word, a path or a hex digest.
    static func looksLikeBase64Secret(_ run: String) -> Bool {
        var upper = false
        var lower = false
        var digit = false
        var hexOnly = true
        var slashes = 0
        for scalar in run.unicodeScalars {
            switch scalar {
            case "A"..."Z": upper = true
            case "a"..."z": lower = true
            case "0"..."9": digit = true
            case "/": slashes += 1
            default: break
            }
            if !("0"..."9").contains(scalar) && !("a"..."f").contains(scalar) && !("A"..."F").contains(scalar) {
                hexOnly = false
            }
        }
        return upper && lower && digit && !hexOnly && slashes * 16 <= run.count
    }

    /// Replaces each match for which `transform` returns text (groups: 0 = whole match, then the capture groups,
    /// "" when a group did not take part).
    private static func replace(
        _ regex: NSRegularExpression, in text: String, _ transform: (String, [String]) -> String?
    ) -> String {
        let ns = text as NSString
        let matches = regex.matches(in: text, range: NSRange(location: 0, length: ns.length))
        guard !matches.isEmpty else { return text }
        var out = ""
        var last = 0
        for match in matches {
            let groups = (0..<match.numberOfRanges).map { i -> String in
                let r = match.range(at: i)
                return r.location == NSNotFound ? "" : ns.substring(with: r)
            }
            guard let replacement = transform(groups[0], groups) else { continue }
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last)) + replacement
            last = match.range.location + match.range.length
        }
        return out + ns.substring(from: last)
    }
}
