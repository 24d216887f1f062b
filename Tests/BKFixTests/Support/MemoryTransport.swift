import Foundation
import Synchronization

@testable import BKFix

/// An in-memory host for unit tests of step kinds: files in a dictionary, commands answered by a closure.
/// Every write and every command is recorded; set `readOnly` to make any write fail the test loudly.
final class MemoryTransport: Transport, @unchecked Sendable {
    struct State {
        var files: [String: FileSnapshot] = [:]
        var directories: Set<String> = []
        var writes: [String] = []
        var reads: [String] = []
        var commands: [[String]] = []
    }

    let host: String
    let readOnly: Bool
    let state: Mutex<State>
    /// Answers a command; the default fails loudly on any argv.
    let responder: @Sendable ([String]) -> CommandResult

    init(
        host: String = "control", files: [String: String] = [:], readOnly: Bool = false,
        responder: @escaping @Sendable ([String]) -> CommandResult = { argv in
            CommandResult(
                argv: argv, exitCode: 127, stdout: "", stderr: "unexpected command \(argv)", duration: 0,
                timedOut: false)
        }
    ) {
        self.host = host
        self.readOnly = readOnly
        self.responder = responder
        var s = State()
        for (path, text) in files {
            s.files[path] = FileSnapshot(data: Data(text.utf8), meta: FileMeta(mode: 0o644, uid: 0, gid: 0))
        }
        self.state = Mutex(s)
    }

    func setFile(_ path: String, _ data: Data, mode: UInt32 = 0o644) {
        state.withLock { $0.files[path] = FileSnapshot(data: data, meta: FileMeta(mode: mode, uid: 0, gid: 0)) }
    }

    func file(_ path: String) -> Data? { state.withLock { $0.files[path]?.data } }
    var writes: [String] { state.withLock { $0.writes } }
    /// Every path read, in order.
    var reads: [String] { state.withLock { $0.reads } }
    var commands: [[String]] { state.withLock { $0.commands } }

    func kind(of path: String) throws -> PathKind? {
        state.withLock { s in
            if s.files[path] != nil { return .file }
            if s.directories.contains(path) { return .directory }
            let prefix = path.hasSuffix("/") ? path : path + "/"
            if s.files.keys.contains(where: { $0.hasPrefix(prefix) }) { return .directory }
            return nil
        }
    }

    func read(_ path: String) throws -> FileSnapshot? {
        state.withLock {
            $0.reads.append(path)
            return $0.files[path]
        }
    }

    func write(_ path: String, data: Data, meta: FileMeta) throws {
        if readOnly { fatalError("MemoryTransport(readOnly): write to \(path) during a read-only phase") }
        state.withLock {
            $0.files[path] = FileSnapshot(data: data, meta: meta)
            $0.writes.append(path)
        }
    }

    func remove(_ path: String) throws {
        if readOnly { fatalError("MemoryTransport(readOnly): remove of \(path) during a read-only phase") }
        state.withLock {
            $0.files[path] = nil
            $0.writes.append(path)
        }
    }

    func list(_ dir: String) throws -> [String] {
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        return state.withLock { s in
            Set(
                s.files.keys.filter { $0.hasPrefix(prefix) }.compactMap {
                    $0.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
                }
            ).sorted()
        }
    }

    func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult {
        state.withLock { $0.commands.append(command.argv) }
        let r = responder(command.argv)
        if let output {
            for line in r.stdout.split(separator: "\n") { output(.stdout(String(line))) }
        }
        return r
    }
}
