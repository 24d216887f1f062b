import Foundation

/// A commit as a history walk sees it: id, first parent, time, subject and trailers; no tree, no diff.
public struct StateCommitHeader: Sendable, Equatable {
    /// 40 lowercase hex digits.
    public var oid: String
    public var parent: String?
    public var time: Date
    /// The first line of the message.
    public var subject: String
    public var trailers: [CommitTrailer]

    public init(oid: String, parent: String?, time: Date, subject: String, trailers: [CommitTrailer]) {
        self.oid = oid
        self.parent = parent
        self.time = time
        self.subject = subject
        self.trailers = trailers
    }

    /// The last value of a trailer key, nil when absent.
    public func value(_ key: String) -> String? {
        trailers.last { $0.key == key }?.value
    }

    /// Every value of a trailer key, in order.
    public func values(_ key: String) -> [String] {
        trailers.compactMap { $0.key == key ? $0.value : nil }
    }
}
