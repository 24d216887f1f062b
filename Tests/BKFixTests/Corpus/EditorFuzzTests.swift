import Foundation
import Testing
import Yams

@testable import BKFix

#if canImport(Glibc)
    import Glibc
#endif

/// Seeded random edits for the three byte-exact editors: 10,000 each, on generated files with the shapes real ones
/// have (comments, CRLF, no final newline, tabs, nesting, quoting, conflicts). Each edit either refuses or changes
/// exactly what was asked: the result is re-parsed by an independent reader (not the editor's) and compared with
/// the original everywhere but the target, and the lines or members around the target must keep their bytes.
/// The seeds are fixed and printed; `BKFIX_FUZZ_SEED` replays or explores another sequence.
@Suite struct EditorFuzzTests {
    static let cases = 10_000

    /// Prints the tally (and, with `BKFIX_FUZZ_VERBOSE`, samples of each refusal) and fails on any corruption.
    static func report(_ tally: FuzzTally) {
        print(tally)
        if ProcessInfo.processInfo.environment["BKFIX_FUZZ_VERBOSE"] != nil {
            for (reason, samples) in tally.samples.sorted(by: { $0.key < $1.key }) {
                for sample in samples { print("=== \(tally.editor) refused, \(reason):\n\(sample)") }
            }
            for corruption in tally.corruptions.prefix(20) { print("=== \(tally.editor) CORRUPTION \(corruption)") }
        }
        #expect(tally.corruptions.isEmpty, "\(tally.corruptions.prefix(3).joined(separator: "\n\n"))")
    }

    // MARK: - hosts

    static let hostNames = ["hub.bktencent.com", "a.test", "B.test", "node-1", "localhost", "bk.example", "x"]
    static let addresses = [
        "10.0.0.1", "10.0.0.2", "10.0.1.1", "127.0.0.1", "49.234.165.79", "::1", "2001:db8::5", "2001:DB8:0::5",
        "fe80::1%eth0",
    ]

    /// A hosts file: entries with 1-3 names and inline comments, comment lines, blank lines, odd whitespace.
    static func hostsFile(_ r: inout SeededRandom) -> (text: String, malformed: Bool) {
        var lines: [String] = []
        var malformed = false
        for _ in 0..<r.int(0...9) {
            switch r.int(0...9) {
            case 0: lines.append("# " + r.pick(["comment", hostNames[0], "127.0.0.1 x", "中文 note"]))
            case 1: lines.append(r.pick(["", "   ", "\t"]))
            case 2 where r.chance(0.05):
                lines.append(r.pick(["not-an-ip name", "999.1.1.1 a.test", "10.0.0 a"]))
                malformed = true
            default:
                let sep = { (r: inout SeededRandom) in r.pick([" ", "\t", "  ", " \t"]) }
                var line = (r.chance(0.1) ? r.pick([" ", "\t"]) : "") + r.pick(addresses)
                for _ in 0..<r.int(1...3) {
                    let name = r.pick(hostNames)
                    line += sep(&r) + (r.chance(0.2) ? name.uppercased() : name)
                }
                if r.chance(0.15) { line += sep(&r) + "# " + r.pick(["note", "a.test"]) }
                lines.append(line)
            }
        }
        let newline = r.chance(0.2) ? "\r\n" : "\n"
        var text = lines.joined(separator: newline)
        if !lines.isEmpty && r.chance(0.8) { text += newline }
        return (text, malformed)
    }

    /// One line of a hosts file as the resolver reads it: the address and names before any `#`.
    struct HostsLine {
        var raw: String
        var address: String?
        var names: [String]
        var comment: String

        /// The line without its CR (a CRLF file's line end).
        var body: String

        init(_ raw: String) {
            self.raw = raw
            let body = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
            self.body = body
            let hash = body.firstIndex(of: "#") ?? body.endIndex
            comment = String(body[hash...])
            let words = body[..<hash].split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            address = words.first
            names = Array(words.dropFirst())
        }
    }

    static func hostsLines(_ data: Data) -> [HostsLine] {
        var parts = data.split(separator: 0x0A, omittingEmptySubsequences: false).map {
            String(decoding: $0, as: UTF8.self)
        }
        if parts.last == "" { parts.removeLast() }
        return parts.map(HostsLine.init)
    }

    /// The address in a canonical form (inet_pton, scope kept), independent of the editor's parser.
    static func canonical(_ address: String) -> String? {
        let parts = address.split(separator: "%", maxSplits: 1).map(String.init)
        var v4 = in_addr()
        if parts.count == 1, inet_pton(AF_INET, parts[0], &v4) == 1 { return "4:\(v4.s_addr)" }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, parts[0], &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        return "6:" + bytes.map { String($0) }.joined(separator: ".") + (parts.count > 1 ? "%" + parts[1] : "")
    }

    /// Every name's addresses, in file order.
    static func resolution(_ lines: [HostsLine]) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for line in lines {
            guard let address = line.address else { continue }
            for name in line.names { out[name.lowercased(), default: []].append(canonical(address) ?? address) }
        }
        return out
    }

    /// Why the edit of `old` into `new` is a corruption, or nil when it changed exactly what was asked.
    static func hostsCorruption(old: Data, new: Data, ip: String, names: [String]) -> String? {
        let target = canonical(ip)!
        let wanted = Set(names.map { $0.lowercased() })
        let before = hostsLines(old)
        let after = hostsLines(new)
        guard after.count >= before.count else { return "lines were removed" }
        // A file without a final newline gets one before an appended line: only there may a line end change.
        let lastOpen = old.last != 0x0A && !before.isEmpty ? before.count - 1 : -1
        func same(_ a: HostsLine, _ b: HostsLine, _ index: Int) -> Bool {
            index == lastOpen ? a.body == b.body : a.raw == b.raw
        }
        var satisfied = Set<String>()
        for (index, line) in before.enumerated() {
            let now = after[index]
            let hits = line.names.filter { wanted.contains($0.lowercased()) }
            if hits.isEmpty || line.address.flatMap(canonical) == target {
                if !same(now, line, index) { return "line \(index + 1) changed though it maps no target elsewhere" }
                if !hits.isEmpty { for hit in hits { satisfied.insert(hit.lowercased()) } }
            } else if hits.count == line.names.count {
                if !same(now, HostsLine("# " + line.raw), index) {
                    return "line \(index + 1) was not commented out as it was"
                }
            } else {
                let kept = line.names.filter { !wanted.contains($0.lowercased()) }
                if now.address != line.address || now.names != kept || now.comment != line.comment {
                    return "line \(index + 1) lost more than the target names"
                }
            }
        }
        let missing = names.reduce(into: [String]()) { list, name in
            if !satisfied.contains(name.lowercased()) && !list.contains(where: { $0.lowercased() == name.lowercased() })
            {
                list.append(name)
            }
        }
        let extra = after.dropFirst(before.count)
        if missing.isEmpty {
            if !extra.isEmpty { return "a line was added though every name already resolved" }
        } else {
            guard extra.count == 1, let added = extra.first, added.address == ip, added.names == missing else {
                return "the added line is not '\(ip) \(missing.joined(separator: " "))'"
            }
        }
        // The resolver's view: targets only to the new address, every other name exactly as before.
        let was = resolution(before)
        let now = resolution(after)
        for (name, list) in now where wanted.contains(name) {
            if list.contains(where: { $0 != target }) { return "\(name) still resolves elsewhere" }
        }
        for name in Set(was.keys).union(now.keys) where !wanted.contains(name) {
            if was[name] != now[name] { return "\(name) resolves differently" }
        }
        for name in wanted where now[name]?.isEmpty ?? true { return "\(name) does not resolve" }
        return nil
    }

    @Test func hostsEditorFuzz() throws {
        var tally = FuzzTally(editor: "hosts", seed: SeededRandom.seed(default: 0x686F_7374_7331))
        var r = SeededRandom(seed: tally.seed)
        for n in 0..<Self.cases {
            let (text, malformed) = Self.hostsFile(&r)
            let ip = r.pick(Self.addresses)
            let names = (0..<r.int(1...2)).map { _ in r.pick(Self.hostNames) }
            let data = Data(text.utf8)
            tally.cases += 1
            do {
                let edit = try HostsFileEditor.ensure(ip: ip, names: names, in: data, path: "/etc/hosts")
                if malformed { tally.corruptions.append("case \(n): a malformed file was edited") }
                if !edit.changed { tally.unchanged += 1 } else { tally.edited += 1 }
                if let why = Self.hostsCorruption(old: data, new: edit.after, ip: ip, names: names) {
                    tally.corruptions.append(
                        "case \(n): \(why)\n--- before\n\(text)\n--- after\n"
                            + String(decoding: edit.after, as: UTF8.self) + "\n--- ensure \(ip) \(names)")
                }
            } catch let error as HostsFileError {
                let reason: String
                switch error {
                case .malformedLine: reason = "malformed line"
                case .binary: reason = "binary"
                case .invalidAddress: reason = "invalid address"
                }
                tally.refuse(reason, text)
                if !malformed { tally.corruptions.append("case \(n): refused a good file: \(error)\n\(text)") }
            }
        }
        Self.report(tally)
    }

    // MARK: - YAML

    static let yamlKeys = ["a", "b", "c", "image", "limits", "cpu", "memory", "enabled", "中文"]
    static let yamlScalars = [
        "1", "2Gi", "4000m", "true", "hello world", "'quoted'", "\"double\"", "v1.2.3", "~", "null", "-1", "中文值",
    ]
    static let yamlValues = [
        "1", "2Gi", "4000m", "true", "hello world", "a: b", "#x", "", "'q'", "中文", "-1", "null", "~", "x # y", "@at",
    ]

    /// A values-like mapping: scalars, empty values, nested mappings, block and flow sequences, flow mappings,
    /// block scalars, comments and blank lines, with 2- or 4-space indentation.
    static func yamlMapping(_ r: inout SeededRandom, depth: Int, indent: String, unit: String) -> [String] {
        var lines: [String] = []
        var keys = yamlKeys
        keys.shuffle(using: &r)
        for key in keys.prefix(r.int(1...4)) {
            if r.chance(0.15) { lines.append(indent + "# " + r.pick(["note", "cpu: 9", "中文"])) }
            if r.chance(0.1) { lines.append("") }
            let comment = r.chance(0.15) ? " # " + r.pick(["why", "a: b"]) : ""
            switch r.int(0...9) {
            case 0...3: lines.append(indent + key + ": " + r.pick(yamlScalars) + comment)
            case 4: lines.append(indent + key + ":" + comment)
            case 5 where depth < 3, 6 where depth < 3:
                lines.append(indent + key + ":" + comment)
                lines += yamlMapping(&r, depth: depth + 1, indent: indent + unit, unit: unit)
            case 7:
                lines.append(indent + key + ":")
                for _ in 0..<r.int(1...2) { lines.append(indent + unit + "- " + r.pick(yamlScalars)) }
            case 8: lines.append(indent + key + ": " + r.pick(["[x, y]", "[]", "{}", "{p: 1}"]) + comment)
            default:
                lines.append(indent + key + ": |")
                lines.append(indent + unit + r.pick(["text", "a: b", "# not a comment"]))
            }
        }
        return lines
    }

    /// The document in a form that compares by meaning: every scalar as its text (Yams's basic resolver).
    static func canonical(_ value: Any?) -> String {
        switch value {
        case let d as [AnyHashable: Any]:
            let pairs = d.map { (key: "\($0.key)", value: canonical($0.value)) }.sorted { $0.key < $1.key }
            return "{" + pairs.map { "\($0.key.debugDescription):\($0.value)" }.joined(separator: ",") + "}"
        case let a as [Any]: return "[" + a.map(canonical).joined(separator: ",") + "]"
        case nil: return "null"
        case let s as String: return s.debugDescription
        default: return "\(value!)"
        }
    }

    /// The loaded document with the path set to a string, as a reader of the file would expect.
    static func setting(_ value: Any?, _ path: [String], to text: String) -> Any {
        guard let first = path.first else { return text }
        var dict = (value as? [AnyHashable: Any]) ?? [:]
        dict[first] = setting(dict[first], Array(path.dropFirst()), to: text)
        return dict
    }

    static func load(_ text: String) throws -> [Any?] {
        Array(try Yams.load_all(yaml: text, .basic))
    }

    static func yamlCorruption(old: String, new: String, path: [String], value: String) -> String? {
        guard let before = try? load(old) else { return nil }  // the independent reader disagrees: not judged
        guard let after = try? load(new) else { return "the result is not YAML any more" }
        let expected = before.isEmpty ? [setting(nil, path, to: value)] : before
        guard after.count == expected.count else { return "the number of documents changed" }
        let differing = zip(before.isEmpty ? [nil] : before, after).enumerated().filter {
            canonical($0.element.0) != canonical($0.element.1)
        }
        guard differing.count <= 1 else { return "more than one document changed" }
        if let changed = differing.first {
            let want = canonical(setting(changed.element.0, path, to: value))
            if canonical(changed.element.1) != want {
                return "document \(changed.offset + 1) is not the original with \(path.joined(separator: ".")) set"
            }
        } else if !before.contains(where: { canonical(setting($0, path, to: value)) == canonical($0) }) {
            return "nothing changed though \(path.joined(separator: ".")) was not \(value)"
        }
        // Bytes: at most the one line holding the old value is replaced; everything else is kept or inserted.
        let a = old.components(separatedBy: "\n")
        let b = new.components(separatedBy: "\n")
        var prefix = 0
        while prefix < min(a.count, b.count) && a[prefix] == b[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(a.count, b.count) - prefix && a[a.count - 1 - suffix] == b[b.count - 1 - suffix] {
            suffix += 1
        }
        if a.count - prefix - suffix > 1 { return "\(a.count - prefix - suffix) original lines were rewritten" }
        return nil
    }

    /// Found by this fuzz test: the editor wrote the string `null` (or `~`) plain, which reads back as null, so its
    /// own check refused every such edit as "an unexpected change".
    @Test func theStringsNullAndTildeAreWrittenQuotedAndReadBackAsStrings() throws {
        for value in ["null", "~", "NULL"] {
            let text = try YAMLSplice.set(["a", "b"], to: value, in: "a:\n  b: 1\nc: 2\n", file: "values.yaml")
            #expect(text == "a:\n  b: \"\(value)\"\nc: 2\n")
            let inserted = try YAMLSplice.set(["d"], to: value, in: "c: 2\n", file: "values.yaml")
            #expect(inserted == "c: 2\nd: \"\(value)\"\n")
        }
    }

    /// Found by this fuzz test: a new top-level key went right after `b: |` when the block scalar's lines looked like
    /// comments, splitting the scalar; its own check refused the edit.
    @Test func aNewKeyGoesAfterABlockScalarWhoseLinesLookLikeComments() throws {
        let text = "a: 1\nb: |\n    # not a comment\n    # nor this\n"
        #expect(try YAMLSplice.set(["c"], to: "2", in: text, file: "values.yaml") == text + "c: 2\n")
    }

    @Test func yamlEditorFuzz() throws {
        var tally = FuzzTally(editor: "YAML", seed: SeededRandom.seed(default: 0x7961_6D6C_3031))
        var r = SeededRandom(seed: tally.seed)
        for n in 0..<Self.cases {
            let unit = r.pick(["  ", "    "])
            var lines = r.chance(0.1) ? ["---"] : []
            lines += Self.yamlMapping(&r, depth: 0, indent: "", unit: unit)
            if r.chance(0.05) { lines += ["---"] + Self.yamlMapping(&r, depth: 0, indent: "", unit: unit) }
            var text = lines.joined(separator: "\n")
            if r.chance(0.85) { text += "\n" }
            if r.chance(0.03) { text = "" }
            let path = (0..<r.int(1...3)).map { _ in r.pick(Self.yamlKeys) }
            let value = r.pick(Self.yamlValues)
            tally.cases += 1
            do {
                let result = try YAMLSplice.set(path, to: value, in: text, file: "fuzz.yaml")
                if result == text { tally.unchanged += 1 } else { tally.edited += 1 }
                if let why = Self.yamlCorruption(old: text, new: result, path: path, value: value) {
                    tally.corruptions.append(
                        "case \(n): \(why)\n--- before\n\(text)--- after\n\(result)--- set \(path) = \(value)")
                }
            } catch let error as YAMLSpliceError {
                let reason = "\(error)".prefix(while: { $0 != "(" })
                tally.refuse(String(reason), "\(error)\n--- set \(path) = \(value)\n\(text)")
            }
        }
        Self.report(tally)
    }

    // MARK: - JSON

    static let jsonKeys = [
        "registry-mirrors", "debug", "log-opts", "data-root", "exec-opts", "中文", "a\"b", "live-restore",
    ]
    static let jsonLiterals = [
        "true", "false", "null", "0", "-1.5e3", "\"text\"", "\"esc\\\"aped\\\\\"", "\"\\u00e9t\\u00e9\"", "\"中文\"",
        "[]", "[\"a\", \"b\"]", "{}", "{\"max-size\": \"100m\", \"n\": [1, {\"x\": null}]}",
    ]

    /// A JSON object file in one of the layouts docker users write, and the bytes of each member as written.
    static func jsonFile(_ r: inout SeededRandom) -> (text: String, members: [String: String], broken: Bool) {
        var keys = jsonKeys
        keys.shuffle(using: &r)
        var members: [(key: String, text: String)] = keys.prefix(r.int(0...6)).map { key in
            let quoted = "\"" + key.replacingOccurrences(of: "\"", with: "\\\"") + "\""
            return (key, quoted + r.pick([": ", ":", " : ", ":\t"]) + r.pick(jsonLiterals))
        }
        var broken = false
        if !members.isEmpty && r.chance(0.02) {
            members.append(members[0])  // a duplicate key
            broken = true
        }
        let newline = r.chance(0.2) ? "\r\n" : "\n"
        var text: String
        if r.chance(0.3) {
            text =
                "{" + r.pick(["", " "]) + members.map(\.text).joined(separator: r.pick([", ", ","]))
                + r.pick(["", " "]) + "}"
        } else {
            let unit = r.pick(["  ", "    ", "\t"])
            text = "{" + newline + members.map { unit + $0.text }.joined(separator: "," + newline)
            text += (members.isEmpty ? "" : newline) + "}"
        }
        if r.chance(0.02) {
            text = text.replacingOccurrences(of: "}", with: ", }")  // a trailing comma somewhere
            broken = true
        }
        if r.chance(0.8) { text += newline }
        var byKey: [String: String] = [:]
        for m in members { byKey[m.key] = m.text }
        return (text, byKey, broken)
    }

    /// The values set (a function: `Any` is not Sendable, so no static array of them).
    static func jsonValue(_ r: inout SeededRandom) -> Any {
        switch r.int(0...5) {
        case 0: return ["https://mirror.ccs.tencentyun.com", "http://10.0.0.5:5000"]
        case 1: return "/data/docker"
        case 2: return ["max-size": "100m"]
        case 3: return [String]()
        case 4: return "中文"
        default: return "quote\"d"
        }
    }

    /// Sorted-key serialization: compares meaning across layouts (Foundation's Linux bridging makes `isEqual` unreliable).
    static func canonicalJSON(_ object: Any) -> String {
        let data =
            (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func jsonEditorFuzz() throws {
        var tally = FuzzTally(editor: "JSON", seed: SeededRandom.seed(default: 0x6A73_6F6E_3031))
        var r = SeededRandom(seed: tally.seed)
        for n in 0..<Self.cases {
            let (text, members, broken) = Self.jsonFile(&r)
            let key = r.pick(Self.jsonKeys)
            let value = Self.jsonValue(&r)
            tally.cases += 1
            do {
                let splice = try JSONSplice(file: "daemon.json", data: Data(text.utf8))
                let result = try splice.setting(key, to: value)
                if broken { tally.corruptions.append("case \(n): a broken file was edited:\n\(text)") }
                if result == Data(text.utf8) { tally.unchanged += 1 } else { tally.edited += 1 }
                let old = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
                guard let new = try? JSONSerialization.jsonObject(with: result) as? [String: Any] else {
                    tally.corruptions.append("case \(n): the result is not a JSON object:\n\(text)")
                    continue
                }
                var expected = old
                expected[key] = value
                let resultText = String(decoding: result, as: UTF8.self)
                if Self.canonicalJSON(new) != Self.canonicalJSON(expected) {
                    tally.corruptions.append(
                        "case \(n): the object is not the original with \(key) set:\n\(text)\n\(resultText)")
                }
                for (other, bytes) in members where other != key && !resultText.contains(bytes) {
                    tally.corruptions.append("case \(n): member \(other) lost its bytes:\n\(text)\n\(resultText)")
                }
            } catch let error as JSONSpliceError {
                let reason = "\(error)".prefix(while: { $0 != "(" })
                tally.refuse(String(reason), text)
                if !broken { tally.corruptions.append("case \(n): refused a good file: \(error)\n\(text)") }
            }
        }
        Self.report(tally)
    }
}
