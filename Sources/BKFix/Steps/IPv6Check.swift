import Foundation

/// Verify `ipv6`: the host's kernel has IPv6 and no `disable_ipv6` switch bkfix looks at is on.
public enum IPv6Check: VerifyKind {
    public static let name = "ipv6"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = []

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let state = try IPv6State.read(on: context.transport)
        let shown = state.values.map { "\($0.key) = \($0.value)" }.joined(separator: ", ")
        return VerifyResult(
            check: name, host: context.host, ok: state.isEnabled,
            detail: (state.isEnabled ? "IPv6 is on: " : "IPv6 is still off: ") + shown)
    }
}
