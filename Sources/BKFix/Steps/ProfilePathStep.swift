import Foundation

/// `profile-path`: make a directory (default `/usr/local/bin`) part of PATH for login shells through a managed
/// file in `/etc/profile.d/`; report the rc line that breaks PATH, and rewrite it only when `fix-rc` is true.
public enum ProfilePathStep: StepKind {
    public static let name = "profile-path"
    public static let requiredKeys: Set<String> = []
    /// `dir`, `file` (the managed file), `home` (whose rc files; default `$HOME`), `fix-rc`, `tool` (e.g. helmfile,
    /// reported when it exists in `dir`).
    public static let optionalKeys: Set<String> = ["dir", "file", "home", "fix-rc", "tool"]

    public static let defaultDir = "/usr/local/bin"
    public static let defaultFile = "/etc/profile.d/bkfix-path.sh"

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let dir = try args.optionalString("dir") ?? defaultDir
        let file = try args.optionalString("file") ?? defaultFile
        let home = try args.optionalString("home") ?? context.environment["HOME"] ?? "/root"
        let fixRC = try args.bool("fix-rc", default: false)
        let lang = context.language
        var notes: [String] = []

        if let tool = try args.optionalString("tool"), try context.transport.read("\(dir)/\(tool)") != nil {
            notes.append(Localized(zh: "\(dir)/\(tool) 存在", en: "\(dir)/\(tool) exists").text(lang))
        }
        let audit = try PathAudit.audit(
            dir: dir, home: home, environment: context.environment, transport: context.transport)
        if !audit.inCurrentEnvironment {
            notes.append(
                Localized(
                    zh: "当前环境的 PATH 不含 \(dir)；修复后请重新登录，或执行 export PATH=\(dir):$PATH",
                    en:
                        "the current PATH lacks \(dir); after the fix open a new login shell or run export PATH=\(dir):$PATH"
                ).text(lang))
        }
        for a in audit.breakingAssignments {
            notes.append(
                Localized(
                    zh: "\(a.file):\(a.line) 重设 PATH 时丢掉了 \(dir): ", en: "\(a.file):\(a.line) drops \(dir) from PATH: "
                )
                .text(lang) + a.text.trimmingCharacters(in: .whitespaces))
        }
        if audit.inLoginShell {
            notes.append(
                Localized(zh: "登录 shell 的 PATH 已包含 \(dir)", en: "login shells already get \(dir) in PATH").text(lang))
            return StepPlan(notes: notes)
        }

        var changes: [Change] = []
        let managed = managedContent(dir: dir)
        let existing = try context.transport.read(file)
        if existing?.data != managed {
            changes.append(
                .file(
                    FileChange(
                        host: context.host, path: file, before: existing?.data, after: managed,
                        beforeMeta: existing?.meta, afterMeta: FileMeta(mode: 0o644, uid: 0, gid: 0),
                        notes: [Localized(zh: "由 bkfix 管理的 PATH 文件", en: "PATH file managed by bkfix").text(lang)])))
        }
        let withManaged = try PathAudit.audit(
            dir: dir, home: home, environment: context.environment, transport: context.transport,
            overrides: [file: managed])
        guard !withManaged.inLoginShell else { return StepPlan(changes: changes, notes: notes) }

        // Something read after /etc/profile.d still resets PATH: only the rc files can be fixed now.
        let order = withManaged.filesRead
        let managedIndex = order.firstIndex(of: file) ?? 0
        let later = withManaged.breakingAssignments.filter { (order.firstIndex(of: $0.file) ?? 0) > managedIndex }
        guard fixRC else {
            for a in later {
                notes.append(
                    Localized(
                        zh: "\(a.file):\(a.line) 在 /etc/profile.d 之后重设 PATH，托管文件无效；请手工修改，或加 -p fix_rc=true",
                        en:
                            "\(a.file):\(a.line) resets PATH after /etc/profile.d, so the managed file cannot help; edit it or pass -p fix_rc=true"
                    ).text(lang))
            }
            return StepPlan(changes: changes, notes: notes)
        }
        for (rcFile, assignments) in Dictionary(grouping: later, by: \.file).sorted(by: { $0.key < $1.key }) {
            guard let snapshot = try context.transport.read(rcFile) else { continue }
            // Split as bytes, so every line but the repaired ones keeps its bytes even when it is not UTF-8.
            var lines = snapshot.data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map {
                Data($0)
            }
            for a in assignments where a.line - 1 < lines.count {
                lines[a.line - 1] = Data(PathAudit.repairedLine(a, dir: dir).utf8)
            }
            let after = Data(lines.joined(separator: [UInt8(ascii: "\n")]))
            changes.append(
                .file(
                    FileChange(
                        host: context.host, path: rcFile, before: snapshot.data, after: after,
                        beforeMeta: snapshot.meta,
                        afterMeta: snapshot.meta,
                        notes: assignments.map {
                            Localized(zh: "第 \($0.line) 行补上 \(dir)", en: "line \($0.line): add \(dir)").text(lang)
                        })))
        }
        return StepPlan(changes: changes, notes: notes)
    }

    /// The managed profile.d script: appends `dir` once, readable by any POSIX sh.
    public static func managedContent(dir: String) -> Data {
        Data(
            """
            # Managed by bkfix (playbook fix-path): keep \(dir) in PATH for login shells.
            # Remove it with `bkfix rollback`, not by hand.
            case ":${PATH}:" in *":\(dir):"*) ;; *) export PATH="$PATH:\(dir)" ;; esac

            """.utf8)
    }
}
