import Foundation

/// Test fixtures live in `Tests/BKFixTests/Fixtures/`, found from this source file's path.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The checkout these tests belong to (holding `Package.swift`, `playbooks/`, `cases/`, the `Makefile`).
    static let checkout = root.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func data(_ relative: String) throws -> Data { try Data(contentsOf: url(relative)) }

    static func text(_ relative: String) throws -> String { try String(decoding: data(relative), as: UTF8.self) }

    /// A fresh temporary directory, removed by the caller's `defer`.
    static func tempDir(_ label: String = "bkfix") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}
