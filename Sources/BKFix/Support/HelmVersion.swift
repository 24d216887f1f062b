import Foundation

/// Why a version string could not be read.
public enum HelmVersionError: LocalizedError, Equatable {
    case unparsable(String)

    public var errorDescription: String? {
        switch self {
        case .unparsable(let text):
            return "cannot read a helm version from \"\(text)\"; expected something like v3.12.0 or v3.9.4+g7ceeda6"
        }
    }
}

/// A semantic version as printed by `helm version --short` (`v3.9.4+g7ceeda6`), compared by major.minor.patch
/// and pre-release (a pre-release sorts before its release); build metadata (`+g...`) is ignored.
public struct HelmVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int
    /// `rc.1` in `v3.12.0-rc.1`; empty for a release.
    public var prerelease: String

    public init(major: Int, minor: Int, patch: Int = 0, prerelease: String = "") {
        self.major = major
        self.minor = minor
        self.patch = patch
        self.prerelease = prerelease
    }

    /// Reads `v3.12.0`, `3.12`, `v3.9.4+g7ceeda6`, `v3.12.0-rc.1`, or the long `version.BuildInfo{Version:"v3.9.4",...}`.
    public init(parsing raw: String) throws {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if let first = text.split(whereSeparator: \.isNewline).first { text = String(first) }
        if let range = text.range(of: "Version:\"") {
            let rest = text[range.upperBound...]
            text = String(rest.prefix { $0 != "\"" })
        }
        var core = Substring(text)
        if core.hasPrefix("v") || core.hasPrefix("V") { core = core.dropFirst() }
        if let plus = core.firstIndex(of: "+") { core = core[..<plus] }
        var pre = ""
        if let dash = core.firstIndex(of: "-") {
            pre = String(core[core.index(after: dash)...])
            core = core[..<dash]
            if pre.isEmpty { throw HelmVersionError.unparsable(raw) }
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
            parts.allSatisfy({ !$0.isEmpty && $0.count <= 6 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { throw HelmVersionError.unparsable(raw) }
        let numbers = parts.map { Int($0)! }
        self.init(major: numbers[0], minor: numbers[1], patch: numbers.count > 2 ? numbers[2] : 0, prerelease: pre)
    }

    public var description: String { "v\(major).\(minor).\(patch)" + (prerelease.isEmpty ? "" : "-\(prerelease)") }

    public static func < (a: HelmVersion, b: HelmVersion) -> Bool {
        if (a.major, a.minor, a.patch) != (b.major, b.minor, b.patch) {
            return (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
        }
        if a.prerelease.isEmpty != b.prerelease.isEmpty { return !a.prerelease.isEmpty }
        return a.prerelease.compare(b.prerelease, options: .numeric) == .orderedAscending
    }
}

extension HelmVersionError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .unparsable: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .unparsable: return "unreadable-version"
        }
    }
}
