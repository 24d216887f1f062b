import Foundation

/// Why a file cannot be installed.
public enum FileInstallError: LocalizedError, Equatable {
    case sourceMissing(String)
    case badMode(String)

    public var errorDescription: String? {
        switch self {
        case .sourceMissing(let path): return "\(path): the file to install does not exist"
        case .badMode(let mode): return "mode \(mode) is not an octal permission like 0755"
        }
    }
}

/// `file-install`: put a file (e.g. a newer `helm`) in place of another, keeping the target's mode and owner.
/// The old content is the change's `before`, which the engine stores for rollback; writes are atomic.
public enum FileInstallStep: StepKind {
    public static let name = "file-install"
    public static let requiredKeys: Set<String> = ["source", "dest"]
    /// `mode`: octal, for a new target (an existing target keeps its own mode unless `mode` is given).
    public static let optionalKeys: Set<String> = ["mode"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let source = try args.string("source")
        let dest = try args.string("dest")
        let mode = try args.optionalString("mode").map(parseMode)
        guard let change = try change(source: source, dest: dest, mode: mode, in: context) else {
            return StepPlan(notes: [
                Localized(zh: "\(dest) 与 \(source) 相同", en: "\(dest) is already identical to \(source)")
                    .text(context.language)
            ])
        }
        return StepPlan(changes: [.file(change)])
    }

    /// The binary file change installing `source` over `dest`, or nil when they are already identical.
    public static func change(source: String, dest: String, mode: UInt32?, in context: PlanContext) throws
        -> FileChange?
    {
        guard let new = try context.transport.read(source) else { throw FileInstallError.sourceMissing(source) }
        let old = try context.transport.read(dest)
        var meta = old?.meta ?? FileMeta(mode: new.meta.mode, uid: 0, gid: 0)
        if let mode { meta.mode = mode }
        if let old, old.data == new.data, old.meta.mode == meta.mode { return nil }
        let note = Localized(
            zh: "用 \(source)（\(new.data.count) 字节）替换 \(dest)" + (old.map { "（原 \($0.data.count) 字节，回滚时恢复）" } ?? ""),
            en: "install \(source) (\(new.data.count) bytes) as \(dest)"
                + (old.map { " (old \($0.data.count) bytes kept for rollback)" } ?? ""))
        return FileChange(
            host: context.host, path: dest, before: old?.data, after: new.data, beforeMeta: old?.meta, afterMeta: meta,
            notes: [note.text(context.language)], binary: true)
    }

    static func parseMode(_ text: String) throws -> UInt32 {
        guard let mode = UInt32(text, radix: 8), mode <= 0o7777 else { throw FileInstallError.badMode(text) }
        return mode
    }
}

extension FileInstallError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .sourceMissing, .badMode: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .sourceMissing: return "cannot-plan"
        case .badMode: return "bad-parameter"
        }
    }
}
