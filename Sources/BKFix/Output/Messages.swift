import Foundation

/// Every fixed user-facing sentence in both languages; a message cannot exist in only one.
public enum Messages {
    public static let noChanges = Localized(zh: "没有变更：修复已生效", en: "no changes: already applied")
    public static let confirmPrompt = Localized(zh: "输入 yes 确认执行：", en: "Type 'yes' to apply: ")
    public static let confirmRollbackPrompt = Localized(zh: "输入 yes 确认回滚：", en: "Type 'yes' to roll back: ")
    public static let confirmIrreversible = Localized(
        zh: "包含不可逆步骤：请输入 %@ 确认：", en: "This includes an irreversible step: type '%@' to confirm: ")
    public static let needsYes = Localized(
        zh: "没有终端可以确认：请在终端中运行，或加 --yes 表示确认（未做任何更改）",
        en: "no terminal to confirm on: run it on a TTY, or pass --yes to confirm (nothing was changed)")
    public static let declined = Localized(zh: "未确认，未做任何更改", en: "not confirmed; nothing was changed")
    public static let runRecorded = Localized(zh: "运行记录：%@（状态 %@）", en: "run %@ recorded (status %@)")
    public static let rollbackHint = Localized(zh: "撤销：bkfix rollback %@", en: "to undo: bkfix rollback %@")
    public static let notUndoable = Localized(zh: "以下命令无法撤销：", en: "these commands cannot be undone:")
    public static let staleLock = Localized(
        zh: "已清除遗留锁（pid %@ 已不存在，命令：%@）", en: "cleared a stale lock (pid %@ is gone; it was running: %@)")
    public static let noRunsYet = Localized(zh: "还没有运行记录", en: "no runs recorded yet")
    public static let noHistoryYet = Localized(
        zh: "还没有历史记录：%@ 处没有状态仓库（第一次 apply 时创建）",
        en: "no history yet: there is no state repo at %@ (the first apply creates it)")
    public static let gcNoRepo = Localized(
        zh: "%@ 处没有状态仓库：没有可打包的对象", en: "no state repo at %@: nothing to pack")
    public static let gcAlreadyPacked = Localized(zh: "状态仓库 %@ 已经打包好（%@）", en: "state repo %@: already packed (%@)")
    public static let gcPacked = Localized(
        zh: "状态仓库 %@：%@ 个对象打包成一个包；删除了 %@ 个松散对象和 %@ 个旧包\n之前：%@\n之后：%@",
        en: "state repo %@: packed %@ objects into one pack; removed %@ loose objects and %@ old packs\n"
            + "before: %@\nafter:  %@")
    public static let gcCounts = Localized(
        zh: "%@ 个松散对象（%@ KiB），%@ 个对象在 %@ 个包中（%@ KiB）",
        en: "%@ loose objects (%@ KiB), %@ objects in %@ pack(s) (%@ KiB)")
    public static let noRunsMatch = Localized(zh: "没有符合这些条件的运行记录", en: "no recorded run matches these filters")
    public static let noDrift = Localized(
        zh: "一切正常：受管文件与记录一致，没有中断的运行", en: "all clear: managed files match the record, no interrupted runs")
    public static let driftUnchecked = Localized(zh: "无法检查 %@（%@）：%@", en: "cannot check %@ on %@: %@")
    public static let drift = Localized(zh: "漂移：%@ 在 %@ 上被 bkfix 以外的操作修改", en: "drift: %@ on %@ changed outside bkfix")
    public static let interrupted = Localized(
        zh: "中断的运行：%@（%@，pid %@）— 运行 bkfix recover 完成记录",
        en: "interrupted run: %@ (%@, pid %@) — run `bkfix recover` to complete its record")
    public static let verifyOK = Localized(zh: "验证通过", en: "verified")
    public static let verifyFailed = Localized(zh: "验证失败", en: "verification failed")
    public static let planHeader = Localized(zh: "计划：%@（%@）", en: "plan: %@ (%@)")
    public static let rollbackHeader = Localized(zh: "回滚运行 %@（%@）", en: "rollback of run %@ (%@)")
    public static let changedSince = Localized(
        zh: "%@ 在运行后又被修改。三个版本如下（运行前 / 运行后 / 现在）：",
        en: "%@ changed after the run. The three versions (before / after / now):")

    public static let warningLabel = Localized(zh: "警告", en: "WARNING")
    public static let observedHeader = Localized(
        zh: "运行前后记录（只读，不修改）：", en: "recorded before and after the run (read only, never changed):")
    public static let revertProposed = Localized(
        zh: "临时修复：apply 默认在 %@ 后自动回滚，除非执行 bkfix confirm RUN（--revert-after none 表示永久保留）",
        en: "temporary fix: apply reverts it %@ later unless `bkfix confirm RUN` (--revert-after none keeps it)")
    public static let revertOffered = Localized(
        zh: "可作为临时修复：apply --revert-after 30m 在 30 分钟后自动回滚，除非执行 bkfix confirm RUN",
        en: "can be made temporary: apply --revert-after 30m reverts it after 30 minutes unless `bkfix confirm RUN`")

    public static let pendingRevert = Localized(zh: "临时修复：运行 %@（%@）%@", en: "temporary fix: run %@ (%@) %@")

    /// Fills `%@` placeholders in order.
    public static func format(_ message: Localized, _ lang: Language, _ args: String...) -> String {
        var out = message.text(lang)
        for a in args {
            guard let r = out.range(of: "%@") else { break }
            out.replaceSubrange(r, with: a)
        }
        return out
    }
}
