import Foundation

/// Verify `resolve`: the hosts file maps a name to the expected IP (reads the file, so it works under `--root`).
public enum ResolveCheck: VerifyKind {
    public static let name = "resolve"
    public static let requiredKeys: Set<String> = ["name", "expect"]
    public static let optionalKeys: Set<String> = ["file"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let host = try args.string("name")
        let expect = try args.string("expect")
        let file = try args.optionalString("file") ?? "/etc/hosts"
        let content = try context.transport.read(file)?.data ?? Data()
        let ips = try HostsFileEditor.lookup(name: host, in: content, path: file)
        let ok = ips.first == expect
        let detail = ips.isEmpty ? "\(host) is not in \(file)" : "\(host) → \(ips.joined(separator: ", ")) in \(file)"
        return VerifyResult(check: name, host: context.host, ok: ok, detail: detail)
    }
}
