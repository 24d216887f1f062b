import Foundation

/// A systemd unit's enabled and active state on a host, as `systemctl is-enabled` / `is-active` print them: what a
/// fix must restore on undo. Read-only.
public struct SystemdUnit: Sendable, Equatable {
    public var name: String
    /// `enabled`, `disabled`, `static`, `masked` ...
    public var enabledState: String
    /// `active`, `inactive`, `failed` ...
    public var activeState: String

    /// States in which the unit starts at boot without `systemctl enable` (or cannot be enabled at all).
    static let startsAtBoot: Set<String> = [
        "enabled", "enabled-runtime", "static", "indirect", "generated", "transient", "alias", "linked",
        "linked-runtime",
    ]
    static let knownStates = startsAtBoot.union(["disabled", "masked", "masked-runtime", "bad"])

    public var isEnabled: Bool { Self.startsAtBoot.contains(enabledState) }
    public var isActive: Bool { ["active", "activating", "reloading"].contains(activeState) }
    public var isMasked: Bool { enabledState.hasPrefix("masked") }

    /// The unit's state, or nil when it is not installed (or the host has no systemctl).
    public static func read(_ name: String, on transport: any Transport) throws -> SystemdUnit? {
        guard let enabled = try answer(["systemctl", "is-enabled", name], on: transport),
            knownStates.contains(enabled)
        else { return nil }
        let active = try answer(["systemctl", "is-active", name], on: transport) ?? "unknown"
        return SystemdUnit(name: name, enabledState: enabled, activeState: active)
    }

    /// The first word systemctl printed (it exits non-zero for `disabled` or `inactive`); nil when systemctl is
    /// missing.
    static func answer(_ argv: [String], on transport: any Transport) throws -> String? {
        let result: CommandResult
        do {
            result = try transport.run(CommandSpec(argv: argv, timeout: 30), output: nil)
        } catch ProcessRunnerError.notFound {
            return nil
        }
        if result.exitCode == 127 { return nil }
        return result.stdout.split(whereSeparator: \.isWhitespace).first.map(String.init)
    }
}
