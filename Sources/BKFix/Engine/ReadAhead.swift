import Foundation

/// The host paths a step or a check will read, known from its arguments alone: its `file:` argument, when it names
/// an absolute path. A node's paths are fetched for all its steps in one round trip before any step plans (and for
/// its checks in the round trip of its last write); a path a step reads that is not listed here is read on its own
/// (one more round trip, the same answer).
enum ReadAhead {
    static func paths(_ args: StepArgs) -> [String] {
        guard let file = args.values["file"]?.stringValue, file.hasPrefix("/") else { return [] }
        return [file]
    }

    /// `paths` of every item, in order, each once.
    static func paths(_ items: [StepArgs]) -> [String] {
        var out: [String] = []
        for path in items.flatMap(paths) where !out.contains(path) { out.append(path) }
        return out
    }
}
