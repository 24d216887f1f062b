import Foundation

/// `enable-ipv6`: when the host's kernel has IPv6 (`/proc/sys/net/ipv6`) but `disable_ipv6` is 1, writes a sysctl
/// file that turns it off for good and loads it with `sysctl -p FILE`; undo removes the file and sets the old values
/// back (`sysctl -w`). With `ipv6.disable=1` on the kernel command line nothing can be done without a reboot: the
/// plan is refused with the boot setting to change. Settings in later sysctl files that would disable IPv6 again at
/// boot are named in the plan.
public enum EnableIPv6Step: StepKind {
    public static let name = "enable-ipv6"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["file"]
    public static let defaultFile = "/etc/sysctl.d/90-bkfix-ipv6.conf"

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let file = try args.optionalString("file") ?? defaultFile
        guard file.hasPrefix("/etc/sysctl.d/"), file.hasSuffix(".conf") else {
            throw StepError.badArgument(
                step: name, key: "file", reason: "expected a .conf file in /etc/sysctl.d/, got \(file)")
        }
        let host = context.host
        let state = try IPv6State.read(on: context.transport)
        let shown = state.values.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
        var notes = try laterSettings(after: file, in: context)
        guard !state.isEnabled else {
            notes.insert(context.text(zh: "\(host) 已启用 IPv6（\(shown)）", en: "IPv6 is on on \(host) (\(shown))"), at: 0)
            return StepPlan(notes: notes)
        }
        notes.insert(context.text(zh: "\(host) 关闭了 IPv6：\(shown)", en: "IPv6 is off on \(host): \(shown)"), at: 0)
        var changes: [Change] = []
        let content = Data(
            ("# Written by bkfix (enable-ipv6): nginx in BlueKing's pods listens on [::] and needs IPv6.\n"
                + IPv6State.keys.map { "\($0) = 0\n" }.joined()).utf8)
        let current = try context.transport.read(file)
        if current?.data != content {
            changes.append(
                .file(
                    FileChange(
                        host: host, path: file, before: current?.data, after: content, beforeMeta: current?.meta,
                        afterMeta: current?.meta ?? FileMeta(mode: 0o644, uid: 0, gid: 0))))
        }
        let undo = CommandChange(
            host: host, argv: ["sysctl", "-w"] + state.values.map { "\($0.key)=\($0.value)" }, timeout: 60,
            risk: .reversible,
            summary: context.text(zh: "恢复原来的 IPv6 设置（\(shown)）", en: "set the old IPv6 values back (\(shown))"))
        changes.append(
            .command(
                CommandChange(
                    host: host, argv: ["sysctl", "-p", file], timeout: 60, risk: .reversible, undo: [undo],
                    summary: context.text(zh: "加载 \(file)，启用 IPv6", en: "load \(file) to turn IPv6 on"))))
        return StepPlan(changes: changes, notes: notes)
    }

    /// Lines of sysctl files read after `file` at boot (`/etc/sysctl.d/*.conf` later in name order, and
    /// `/etc/sysctl.conf`, which systemd reads as `99-sysctl.conf`) that set a `disable_ipv6` back to 1.
    static func laterSettings(after file: String, in context: PlanContext) throws -> [String] {
        let ours = (file as NSString).lastPathComponent
        var later = try context.transport.list("/etc/sysctl.d").filter { $0.hasSuffix(".conf") && $0 > ours }
            .sorted().map { "/etc/sysctl.d/" + $0 }
        if !later.contains(where: { $0.hasSuffix("/99-sysctl.conf") }) { later.append("/etc/sysctl.conf") }
        var notes: [String] = []
        for path in later {
            guard let text = try context.transport.read(path).map({ String(decoding: $0.data, as: UTF8.self) })
            else { continue }
            for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let words = line.replacingOccurrences(of: "=", with: " = ").split(whereSeparator: \.isWhitespace)
                guard words.count == 3, words[1] == "=", words[0].hasSuffix("disable_ipv6"), words[2] != "0",
                    !words[0].hasPrefix("#"), !words[0].hasPrefix(";")
                else { continue }
                notes.append(
                    context.text(
                        zh: "\(context.host) 的 \(path):\(index + 1) 在开机时晚于 \(file) 读取，会再次关闭 IPv6：\(line)；请修改该行",
                        en: "\(path):\(index + 1) on \(context.host) is read after \(file) at boot and turns IPv6 off "
                            + "again: \(line); edit that line"))
            }
        }
        return notes
    }
}
