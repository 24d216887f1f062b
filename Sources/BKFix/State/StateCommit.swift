import Foundation

/// One commit of the state repository, as `bkfix history` and `bkfix show` read it.
public struct StateCommit: Sendable, Equatable {
    /// 40 lowercase hex digits.
    public var oid: String
    public var parents: [String]
    /// The full message, exactly as committed.
    public var message: String
    /// The first line of the message.
    public var subject: String
    /// "Key: value" lines of the message's last paragraph.
    public var trailers: [String: String]
    public var time: Date
    /// Paths that differ from the first parent (every path for the root commit), sorted.
    public var changedPaths: [String]

    public init(
        oid: String, parents: [String], message: String, subject: String, trailers: [String: String], time: Date,
        changedPaths: [String]
    ) {
        self.oid = oid
        self.parents = parents
        self.message = message
        self.subject = subject
        self.trailers = trailers
        self.time = time
        self.changedPaths = changedPaths
    }
}
