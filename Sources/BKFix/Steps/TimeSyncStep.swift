import Foundation

/// `time-sync`: measures the host's clock against the control machine's (`date +%s.%N`, corrected by half the round
/// trip) and puts the row in the plan's clock table. A host off by more than `max_skew` seconds gets time sync:
/// chronyd when installed (`systemctl enable --now chronyd` unless it already runs, then `chronyc makestep`), else
/// `timedatectl set-ntp true`. The undo restores the enabled/active state read while planning (never a pid).
public enum TimeSyncStep: StepKind {
    public static let name = "time-sync"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["max_skew"]
    public static let unit = "chronyd"

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let maxSkew = try maxSkew(args)
        let reading = try ClockOffset.measure(context.transport, environment: context.environment, maxSkew: maxSkew)
        let row = reading.row(maxSkew: maxSkew, language: context.language)
        guard reading.isOff(maxSkew: maxSkew) else { return StepPlan(notes: [row]) }
        if let chronyd = try SystemdUnit.read(unit, on: context.transport) {
            return StepPlan(changes: try chronyChanges(chronyd, reading: reading, in: context), notes: [row])
        }
        return StepPlan(changes: [.command(try timedatectlChange(reading: reading, in: context))], notes: [row])
    }

    static func maxSkew(_ args: StepArgs) throws -> Double {
        let value = try args.double("max_skew", default: 1)
        guard value > 0, value.isFinite else {
            throw StepError.badArgument(step: name, key: "max_skew", reason: "expected a positive number of seconds")
        }
        return value
    }

    /// chronyd installed: start (and enable) it unless it runs, then step the clock at once.
    static func chronyChanges(_ chronyd: SystemdUnit, reading: ClockReading, in context: PlanContext) throws
        -> [Change]
    {
        if chronyd.isMasked { throw HostStateError.serviceMasked(host: context.host, unit: unit) }
        let host = context.host
        var changes: [Change] = []
        if !chronyd.isEnabled || !chronyd.isActive {
            let restore: [String]
            switch (chronyd.isEnabled, chronyd.isActive) {
            case (false, false): restore = ["systemctl", "disable", "--now", unit]
            case (false, true): restore = ["systemctl", "disable", unit]
            default: restore = ["systemctl", "stop", unit]
            }
            let was = "\(chronyd.enabledState)/\(chronyd.activeState)"
            let undo = CommandChange(
                host: host, argv: restore, timeout: 60, risk: .reversible,
                summary: context.text(zh: "恢复 \(unit) 原状态（\(was)）", en: "put \(unit) back as it was (\(was))"))
            changes.append(
                .command(
                    CommandChange(
                        host: host, argv: ["systemctl", "enable", "--now", unit], timeout: 60, risk: .reversible,
                        undo: [undo],
                        summary: context.text(
                            zh: "启用并启动 \(unit)（原为 \(was)）", en: "enable and start \(unit) (it was \(was))"))))
        }
        changes.append(
            .command(
                CommandChange(
                    host: host, argv: ["chronyc", "makestep"], timeout: 60, risk: .irreversible, confirmWord: host,
                    summary: context.text(
                        zh: "立即校正 \(host) 的时钟（时间跳变，无法撤销）",
                        en: "step the clock of \(host) now (a time jump; it cannot be undone)"),
                    effect: context.text(zh: "\(host) 的时钟已被校正", en: "the clock of \(host) was stepped"))))
        return changes
    }

    /// No chronyd: systemd's own NTP client, through `timedatectl set-ntp true`.
    static func timedatectlChange(reading: ClockReading, in context: PlanContext) throws -> CommandChange {
        let status: CommandResult
        do {
            status = try context.transport.run(CommandSpec(argv: ["timedatectl", "status"], timeout: 30), output: nil)
        } catch ProcessRunnerError.notFound {
            throw HostStateError.noTimeSync(host: context.host)
        }
        guard status.succeeded, let ntp = ntpEnabled(status.stdout) else {
            throw HostStateError.noTimeSync(host: context.host)
        }
        if ntp {
            throw HostStateError.timeSyncIneffective(
                host: context.host, offset: reading.offset, service: "timedatectl NTP")
        }
        let host = context.host
        let undo = CommandChange(
            host: host, argv: ["timedatectl", "set-ntp", "false"], timeout: 60, risk: .reversible,
            summary: context.text(zh: "恢复关闭 NTP 时间同步", en: "switch NTP time sync off again, as it was"))
        return CommandChange(
            host: host, argv: ["timedatectl", "set-ntp", "true"], timeout: 60, risk: .reversible, undo: [undo],
            summary: context.text(zh: "开启 NTP 时间同步（原为关闭）", en: "switch NTP time sync on (it was off)"))
    }

    /// NTP on or off as `timedatectl status` says it (systemd 219's `NTP enabled: yes`, later `NTP service:
    /// active`, Ubuntu's `Network time on: yes`); nil when no NTP service exists (`n/a`) or the line is missing.
    static func ntpEnabled(_ status: String) -> Bool? {
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, ["NTP enabled", "NTP service", "Network time on"].contains(parts[0]) else {
                continue
            }
            switch parts[1] {
            case "yes", "active": return true
            case "no", "inactive": return false
            default: return nil
            }
        }
        return nil
    }

}
