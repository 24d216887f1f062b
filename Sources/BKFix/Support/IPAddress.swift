import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An IP address as the C library parses it (`inet_pton`), kept as bytes so `::1` and `0:0:0:0:0:0:0:1` compare
/// equal. The one IP parser of bkfix: parameters, the hosts editor and node lookup all use it, so an address one
/// of them accepts is never refused by another (`010.0.0.9`, with its octal-looking zero, is refused by all).
public struct IPAddress: Sendable, Hashable {
    public enum Family: Sendable { case v4, v6 }

    public var family: Family
    public var bytes: [UInt8]
    /// An IPv6 zone (`fe80::1%eth0`), only where `allowScope` accepted it.
    public var scope: String

    /// Parses dotted-quad IPv4 (exactly four decimal parts, no leading zeros) or IPv6; a `%zone` suffix on IPv6 only
    /// when `allowScope` (hosts files may carry one, parameters may not).
    public init?(_ text: String, allowScope: Bool = false) {
        if let v4 = Self.parse(text, family: AF_INET, size: 4) {
            family = .v4
            bytes = v4
            scope = ""
            return
        }
        let parts = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 1 || (allowScope && parts.count == 2 && !parts[1].isEmpty),
            let v6 = Self.parse(String(parts[0]), family: AF_INET6, size: 16)
        else { return nil }
        family = .v6
        bytes = v6
        scope = parts.count == 2 ? String(parts[1]) : ""
    }

    private static func parse(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        // inet_pton reads a C string: an embedded NUL would cut the text short and accept what follows unseen.
        guard !text.isEmpty, !text.utf8.contains(0) else { return nil }
        var buffer = [UInt8](repeating: 0, count: size)
        guard inet_pton(family, text, &buffer) == 1 else { return nil }
        return buffer
    }

    public static func isIPv4(_ text: String) -> Bool { IPAddress(text)?.family == .v4 }
    public static func isIPv6(_ text: String) -> Bool { IPAddress(text)?.family == .v6 }
}
