import Foundation

@testable import BKFix

/// A test host whose files are real (under a temp folder's absolute paths) and whose `mkdir`/`tar` really run;
/// every other argv goes to `responder`. Used where a test must open what was produced (the collect archive).
final class DiskTransport: Transport, @unchecked Sendable {
    let host = "control"
    let responder: @Sendable ([String]) -> CommandResult

    init(responder: @escaping @Sendable ([String]) -> CommandResult) {
        self.responder = responder
    }

    func kind(of path: String) throws -> PathKind? {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return nil }
        return isDir.boolValue ? .directory : .file
    }

    func read(_ path: String) throws -> FileSnapshot? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return FileSnapshot(data: data, meta: FileMeta(mode: 0o644, uid: 0, gid: 0))
    }

    func write(_ path: String, data: Data, meta: FileMeta) throws {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: Int(meta.mode)], ofItemAtPath: path)
    }

    func remove(_ path: String) throws { try? FileManager.default.removeItem(atPath: path) }

    func list(_ dir: String) throws -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: dir))?.sorted() ?? []
    }

    func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult {
        guard ["mkdir", "tar"].contains(command.argv.first ?? "") else { return responder(command.argv) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = command.argv
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return CommandResult(
            argv: command.argv, exitCode: process.terminationStatus, stdout: "", stderr: stderr, duration: 0,
            timedOut: false)
    }
}
