import Foundation

/// `hosts-entry`: make names resolve to an IP through a hosts file, replacing a different mapping and never
/// duplicating one; every other byte stays.
public enum HostsEntryStep: StepKind {
    public static let name = "hosts-entry"
    public static let requiredKeys: Set<String> = ["ip", "names"]
    public static let optionalKeys: Set<String> = ["file", "conflicts"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let file = try args.optionalString("file") ?? "/etc/hosts"
        let ip = try args.string("ip")
        let names = try args.strings("names")
        let style = try args.optionalString("conflicts") ?? HostsFileEditor.ConflictStyle.commentOut.rawValue
        guard let conflicts = HostsFileEditor.ConflictStyle(rawValue: style) else {
            throw StepError.badArgument(step: name, key: "conflicts", reason: "expected comment-out or drop")
        }
        if case .directory = try context.transport.kind(of: file) {
            throw StepError.cannotPlan(
                step: name, reason: "\(file) on \(context.host) is a directory, not a hosts file")
        }
        let current = try context.transport.read(file)
        let edit = try HostsFileEditor.ensure(
            ip: ip, names: names, in: current?.data ?? Data(), path: file, conflicts: conflicts)
        guard edit.changed else { return StepPlan(notes: []) }
        let meta = current?.meta ?? FileMeta(mode: 0o644, uid: 0, gid: 0)
        let change = FileChange(
            host: context.host, path: file, before: current?.data, after: edit.after, beforeMeta: current?.meta,
            afterMeta: meta, notes: edit.notes)
        return StepPlan(changes: [.file(change)])
    }
}
