import Foundation

/// Maps a pod name to the helm release it belongs to: the longest known release name that prefixes it (the work
/// dir's releases, then those the text names), else the usual shapes `<release>-<hash>-<hash>` (a Deployment's pod)
/// and `<release>-N` (a StatefulSet's).
public struct PodNames: Sendable {
    /// Known release names, longest first.
    private let releases: [String]

    public init(releases: [String]) {
        self.releases = Array(Set(releases)).sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }
    }

    /// The release of `pod` by a known prefix, or nil.
    public func knownRelease(of pod: String) -> String? {
        releases.first { pod.hasPrefix($0 + "-") }
    }

    /// The release of `pod` from its shape alone, or nil when it has neither shape.
    public static func releaseByShape(of pod: String) -> String? {
        var parts = pod.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        if parts.last!.allSatisfy(\.isNumber) {
            parts.removeLast()
            return parts.joined(separator: "-")
        }
        guard parts.count >= 3, isPodSuffix(parts[parts.count - 1]), isReplicaSetHash(parts[parts.count - 2]) else {
            return nil
        }
        return parts.dropLast(2).joined(separator: "-")
    }

    /// The 5-character suffix Kubernetes appends to a generated pod name (no vowels, to avoid words).
    private static func isPodSuffix(_ part: Substring) -> Bool {
        part.count == 5 && part.allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) }
    }

    /// A ReplicaSet's pod-template hash: 6 to 10 lowercase letters and digits, with at least one digit.
    private static func isReplicaSetHash(_ part: Substring) -> Bool {
        (6...10).contains(part.count) && part.allSatisfy { $0.isASCII && ($0.isNumber || $0.isLowercase) }
            && part.contains(where: \.isNumber)
    }

    /// A name Kubernetes accepts for a pod or namespace (lowercase letters, digits, `-` and `.`).
    public static func isPodName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 253, first != UInt8(ascii: "-"),
            first != UInt8(ascii: ".")
        else { return false }
        return name.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E
        }
    }
}
