import Foundation

/// Verify `clock-offset`: the host's clock is not found more than `max_skew` seconds off the control machine's,
/// measured again like `time-sync` does (the row says when the round trip was too long to be sure); a time service that has just started may need a moment, so it measures again every two
/// seconds for up to `wait` seconds (default 30) before it reports the host as still off.
public enum ClockOffsetCheck: VerifyKind {
    public static let name = "clock-offset"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["max_skew", "wait"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let maxSkew = try TimeSyncStep.maxSkew(args)
        let wait = try args.double("wait", default: 30)
        let deadline = Date().addingTimeInterval(max(0, wait))
        while true {
            let reading = try ClockOffset.measure(context.transport, environment: context.environment, maxSkew: maxSkew)
            // A round trip too long to tell is not a host found off: time-sync would leave it alone too.
            let ok = !reading.isOff(maxSkew: maxSkew)
            if ok || Date() >= deadline {
                return VerifyResult(
                    check: name, host: context.host, ok: ok, detail: reading.row(maxSkew: maxSkew, language: .en))
            }
            Thread.sleep(forTimeInterval: min(2, max(0.1, deadline.timeIntervalSinceNow)))
        }
    }
}
