import Foundation

/// Something the text says about where a failure happens: a release, namespace, pod or node named near the
/// evidence (helmfile's release tables, a command line's `-n`, `kubectl describe`, a pod listing ...).
struct ContextFact: Sendable, Equatable {
    /// How closely the line ties the name to a failure; a stronger fact wins over a nearer weaker one.
    enum Strength: Int, Comparable, Sendable {
        /// Merely listed, or reported as fine (`UPDATED RELEASES`, `Release "x" has been upgraded`, `helm list`).
        case listed
        /// Being worked on (`Installing it now`, `Upgrading release=`, a command line, `kubectl describe`).
        case acting
        /// Reported as failed (`FAILED RELEASES`, `failed processing release x`, the `ARGS:` of a failed helm call).
        case failing

        static func < (a: Strength, b: Strength) -> Bool { a.rawValue < b.rawValue }
    }

    /// `release`, `namespace`, `pod` or `node`.
    var name: String
    var value: String
    /// 1-based line number.
    var line: Int
    var strength: Strength

    /// How many lines away from a case's evidence the fact may still be used: a failure report reaches further,
    /// since helmfile prints the failed command's `ARGS:` (often 30+ lines) between its summary and the error.
    var reach: Int { strength == .failing ? 80 : 30 }
    static let maxReach = 80
}
