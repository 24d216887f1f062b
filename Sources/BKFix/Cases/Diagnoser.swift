import Foundation

#if canImport(Glibc)
    import Glibc
#endif

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

/// Matches error text against the catalogue in bounded memory: each chunk is searched for every rule's literals at
/// once, and only the lines holding one are normalized and matched (`ChunkScanner`).
public struct Diagnoser: Sendable {
    public let catalog: CaseCatalog
    public let language: Language
    /// Longer lines are cut to this many bytes (binary junk must not grow memory).
    public var maxLineBytes = 64 * 1024
    /// How much is read from the input at a time.
    public var chunkBytes = 1 << 20
    /// The work dir's releases: pod names map to them, and their namespaces complete a finding's params.
    public var releases = KnownReleases()

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

    /// Diagnoses everything readable from `handle` (a file or standard input), streaming it through one buffer that
    /// is reused for every chunk (no allocation, and no fresh pages to fault in, per chunk).
    public func diagnose(handle: FileHandle, name: String = "-") throws -> [Finding] {
        var stream = ChunkScanner(scanner: LineScanner(rules: compiledRules()), maxLineBytes: maxLineBytes)
        var buffer = [UInt8](repeating: 0, count: max(1, chunkBytes))
        let descriptor = handle.fileDescriptor
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw DiagnoseError.unreadable(path: name, problem: String(cString: strerror(errno)))
            }
            if count == 0 { break }
            buffer.withUnsafeBufferPointer { stream.feed(UnsafeBufferPointer(rebasing: $0[..<count])) }
        }
        stream.finish()
        return findings(stream.scanner.collector)
    }

    /// Diagnoses a text already in memory (pasted input, `logs -p` output).
    public func diagnose(text: String) -> [Finding] {
        var stream = ChunkScanner(scanner: LineScanner(rules: compiledRules()), maxLineBytes: maxLineBytes)
        var text = text
        text.withUTF8 { stream.feed($0) }
        stream.finish()
        return findings(stream.scanner.collector)
    }

    private func findings(_ collector: FindingCollector) -> [Finding] {
        CauseRanking.rank(
            collector.findings(catalog: catalog, language: language, releases: releases), catalog: catalog,
            language: language)
    }

    /// Every text rule of the catalogue with its case, in catalogue order.
    func compiledRules() -> [ScanRule] {
        catalog.cases.flatMap { def in
            def.textRules.enumerated().map {
                ScanRule(
                    caseID: def.id, key: "\(def.id)#\($0.offset)", rule: $0.element, takesContext: !def.context.isEmpty)
            }
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
