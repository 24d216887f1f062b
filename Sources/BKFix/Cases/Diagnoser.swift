import Foundation

/// Why a text input could not be read.
public enum DiagnoseError: LocalizedError, Equatable {
    case unreadable(path: String, problem: String)
    case noInput
    case unknownCase(id: String, suggestions: [String])
    case noFixableFinding(case: String, found: [String])

    public var errorDescription: String? {
        switch self {
        case .unreadable(let path, let problem): return "cannot read \(path): \(problem)"
        case .noInput:
            return "nothing to diagnose: give a log FILE, - for standard input (or pipe into bkfix), or --live"
        case .unknownCase(let id, let suggestions):
            return "no case '\(id)'"
                + (suggestions.isEmpty
                    ? "; see `bkfix cases`" : "; did you mean \(suggestions.joined(separator: ", "))?")
        case .noFixableFinding(let id, let found):
            return "no finding of case '\(id)' with a playbook; found: "
                + (found.isEmpty ? "nothing" : found.joined(separator: ", "))
        }
    }
}

/// Matches error text against the catalogue, line by line, in bounded memory.
public struct Diagnoser: Sendable {
    public let catalog: CaseCatalog
    public let language: Language
    /// Longer lines are cut to this many bytes (binary junk must not grow memory).
    public var maxLineBytes = 64 * 1024
    /// How much is read from the input at a time.
    public var chunkBytes = 1 << 20

    public init(catalog: CaseCatalog, language: Language = .en) {
        self.catalog = catalog
        self.language = language
    }

    /// Diagnoses a file, streaming it.
    public func diagnose(path: String) throws -> [Finding] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw DiagnoseError.unreadable(path: path, problem: "it is a directory; give the log file inside it")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DiagnoseError.unreadable(path: path, problem: "no such file or no permission")
        }
        defer { try? handle.close() }
        return try diagnose(handle: handle, name: path)
    }

    /// Diagnoses everything readable from `handle` (a file or standard input), streaming it.
    public func diagnose(handle: FileHandle, name: String = "-") throws -> [Finding] {
        var scanner = LineScanner(rules: compiledRules())
        var reader = ChunkedLines(maxLineBytes: maxLineBytes)
        while true {
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkBytes)
            } catch {
                throw DiagnoseError.unreadable(path: name, problem: error.localizedDescription)
            }
            guard let chunk, !chunk.isEmpty else { break }
            reader.feed(chunk) { scanner.scan($0) }
        }
        reader.finish { scanner.scan($0) }
        return scanner.collector.findings(catalog: catalog, language: language)
    }

    /// Diagnoses a text already in memory (pasted input, `logs -p` output).
    public func diagnose(text: String) -> [Finding] {
        var scanner = LineScanner(rules: compiledRules())
        var reader = ChunkedLines(maxLineBytes: maxLineBytes)
        reader.feed(Data(text.utf8)) { scanner.scan($0) }
        reader.finish { scanner.scan($0) }
        return scanner.collector.findings(catalog: catalog, language: language)
    }

    /// Every text rule of the catalogue with its case, in catalogue order.
    func compiledRules() -> [ScanRule] {
        catalog.cases.flatMap { def in
            def.textRules.enumerated().map { ScanRule(caseID: def.id, key: "\(def.id)#\($0.offset)", rule: $0.element) }
        }
    }
}

/// A text rule with the case it belongs to.
struct ScanRule {
    let caseID: String
    let key: String
    let rule: TextRule
}

/// Applies every rule to each normalized line: a cheap literal search first, the regex only on candidates.
struct LineScanner {
    let rules: [ScanRule]
    var collector = FindingCollector()
    private var lineNumber = 0
    private let index: LiteralIndex
    private var hits: [Bool]

    init(rules: [ScanRule]) {
        self.rules = rules
        // Each rule's key: its longest required literal, else its any-of literals.
        self.index = LiteralIndex(
            keys: rules.map { $0.rule.requiredLiterals.first.map { [$0] } ?? $0.rule.anyLiterals })
        self.hits = Array(repeating: false, count: rules.count)
    }

    mutating func scan(_ raw: [UInt8]) {
        lineNumber += 1
        let line = TextNormalizer.normalize(bytes: raw)
        for (scanRule, params, text) in matches(line) {
            record(scanRule, line: lineNumber, text: text, params: params, group: "")
        }
    }

    /// Matches one fact read from the cluster (an event message, a log line); evidence carries `label`, no line number.
    mutating func scanFact(_ fact: String, label: String, group: String, context: [String: String]) {
        for line in fact.split(separator: "\n") {
            for (scanRule, params, text) in matches(TextNormalizer.normalize(bytes: Array(line.utf8))) {
                record(
                    scanRule, line: nil, text: "\(label): \(text)",
                    params: params.merging(context) { captured, _ in captured },
                    group: group)
            }
        }
    }

    private mutating func matches(_ line: [UInt8]) -> [(ScanRule, [String: String], String)] {
        guard !line.isEmpty else { return [] }
        let candidates: [Int] = line.withUnsafeBufferPointer { buf in
            index.candidates(in: buf, into: &hits)
            var found: [Int] = []
            for i in hits.indices where hits[i] {
                hits[i] = false
                if rules[i].rule.mayMatch(buf) { found.append(i) }
            }
            return found
        }
        guard !candidates.isEmpty else { return [] }
        let text = String(decoding: line, as: UTF8.self)
        return candidates.compactMap { index in
            rules[index].rule.match(text).map { (rules[index], $0, Self.display(text)) }
        }
    }

    private mutating func record(
        _ scanRule: ScanRule, line: Int?, text: String, params: [String: String], group: String
    ) {
        if scanRule.rule.supporting {
            collector.supporting(
                case: scanRule.caseID, group: group, rule: scanRule.key, weight: scanRule.rule.weight, line: line,
                text: text, params: params)
        } else {
            collector.primary(
                case: scanRule.caseID, group: group, rule: scanRule.key, weight: scanRule.rule.weight, line: line,
                text: text, params: params)
        }
    }

    /// Evidence as shown: trimmed and at most 300 characters.
    static func display(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "…" : trimmed
    }
}

/// Splits a byte stream into lines without holding more than one chunk and one (capped) line.
struct ChunkedLines {
    let maxLineBytes: Int
    private var pending: [UInt8] = []
    private var overflowing = false

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func feed(_ chunk: Data, _ emit: ([UInt8]) -> Void) {
        chunk.withUnsafeBytes { (buf: UnsafeRawBufferPointer) in
            let bytes = buf.bindMemory(to: UInt8.self)
            var start = 0
            while start < bytes.count {
                let rest = UnsafeBufferPointer(rebasing: bytes[start...])
                let newline = rest.firstIndex(of: 0x0A).map { $0 + start }
                let end = newline ?? bytes.count
                append(UnsafeBufferPointer(rebasing: bytes[start..<end]))
                guard newline != nil else { break }
                emit(pending)
                pending.removeAll(keepingCapacity: true)
                overflowing = false
                start = end + 1
            }
        }
    }

    mutating func finish(_ emit: ([UInt8]) -> Void) {
        if !pending.isEmpty { emit(pending) }
        pending = []
    }

    private mutating func append(_ piece: UnsafeBufferPointer<UInt8>) {
        guard !overflowing else { return }
        let room = maxLineBytes - pending.count
        if piece.count <= room {
            pending.append(contentsOf: piece)
        } else {
            pending.append(contentsOf: piece.prefix(room))
            overflowing = true
        }
    }
}

extension DiagnoseError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .unreadable, .noInput, .unknownCase, .noFixableFinding: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .unreadable: return "unreadable-input"
        case .noInput: return "no-input"
        case .unknownCase: return "unknown-case"
        case .noFixableFinding: return "no-fixable-finding"
        }
    }
}
