import Foundation

/// Whether a host's kernel has IPv6 and which `disable_ipv6` switches are on, read from `/proc` through the host's
/// transport (so a node's `root:` applies). Read-only.
public struct IPv6State: Sendable, Equatable {
    /// The sysctl keys bkfix looks at and sets, with their current value ("0" or "1").
    public var values: [(key: String, value: String)]

    public static func == (a: IPv6State, b: IPv6State) -> Bool {
        a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.value) == b.values.map(\.value)
    }

    /// `net.ipv6.conf.all.disable_ipv6` and `...default...`: `all` switches every existing interface, `default` the
    /// ones created later (a pod's veth).
    public static let keys = ["net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"]

    public var disabledKeys: [String] { values.filter { $0.value != "0" }.map(\.key) }
    public var isEnabled: Bool { disabledKeys.isEmpty }

    /// `/proc/sys/net/ipv6/conf/all/disable_ipv6` for `net.ipv6.conf.all.disable_ipv6`.
    public static func procPath(_ key: String) -> String { "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/") }

    /// The switches, or the reason there are none: `ipv6.disable=1` on the kernel command line, or no IPv6 at all.
    public static func read(on transport: any Transport) throws -> IPv6State {
        guard try transport.kind(of: "/proc/sys/net/ipv6") != nil else {
            let cmdline = try transport.read("/proc/cmdline").map { String(decoding: $0.data, as: UTF8.self) } ?? ""
            if cmdline.split(whereSeparator: \.isWhitespace).contains("ipv6.disable=1") {
                throw HostStateError.ipv6DisabledAtBoot(host: transport.host)
            }
            throw HostStateError.ipv6Unavailable(host: transport.host)
        }
        var values: [(key: String, value: String)] = []
        for key in keys {
            let text = try transport.read(procPath(key)).map { String(decoding: $0.data, as: UTF8.self) }
            values.append((key, text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0"))
        }
        return IPv6State(values: values)
    }
}
