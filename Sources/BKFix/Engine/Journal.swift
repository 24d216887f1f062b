import Foundation

/// The write-ahead record of a run in progress (`.git/bkfix/journal-<id>.json`), rewritten atomically after every
/// step. If bkfix dies (even `kill -9`), `status` finds it and `recover` completes the record from it.
public struct Journal: Codable, Sendable {
    public var record: RunRecord
    public var pid: Int32

    public static func path(in runtimeDir: String, id: String) -> String {
        (runtimeDir as NSString).appendingPathComponent("journal-\(id).json")
    }

    /// Writes the journal with temp file, fsync and rename, so it is never torn.
    public func save(in runtimeDir: String) throws {
        let data = try RunStore.encoder.encode(self)
        try AtomicFile.write(data, to: Self.path(in: runtimeDir, id: record.id), mode: 0o600)
    }

    public static func remove(in runtimeDir: String, id: String) {
        unlink(path(in: runtimeDir, id: id))
    }

    /// Every journal left in the runtime dir (runs that did not finish), oldest first.
    public static func pending(in runtimeDir: String) -> [(path: String, journal: Journal?)] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: runtimeDir)) ?? [])
            .filter { $0.hasPrefix("journal-") && $0.hasSuffix(".json") }.sorted()
        return names.map { name in
            let p = (runtimeDir as NSString).appendingPathComponent(name)
            let j = FileManager.default.contents(atPath: p).flatMap {
                try? RunStore.decoder.decode(Journal.self, from: $0)
            }
            return (p, j)
        }
    }
}
