import Foundation
import Synchronization

/// The view a step gets while planning: reads go to the host (or to what earlier steps planned for the same file),
/// every read is pinned, and any write is an error. "Dry run never changes anything" holds by construction.
final class PlanningTransport: Transport, @unchecked Sendable {
    struct State {
        var overlay: [String: FileSnapshot?] = [:]
        var pins: [String: String?] = [:]
        var pinOrder: [String] = []
        var queries: [QueryPin] = []
    }

    let base: any Transport
    let state = Mutex(State())
    var host: String { base.host }

    init(base: any Transport) { self.base = base }

    var pins: [FilePin] {
        state.withLock { s in s.pinOrder.map { FilePin(host: host, path: $0, sha256: s.pins[$0] ?? nil) } }
    }

    /// Every read-only command run while planning, with a digest of its answer, in the order they ran.
    var queries: [QueryPin] { state.withLock { $0.queries } }

    /// A view of the same host with the same planned content, whose pins and queries are its own: each host planned
    /// concurrently reads the control machine through one, and `absorb` then adds what they read in host order, so
    /// the plan never depends on which host read first.
    func fork() -> PlanningTransport {
        let copy = PlanningTransport(base: base)
        let overlay = state.withLock { $0.overlay }
        copy.state.withLock { $0.overlay = overlay }
        return copy
    }

    /// Adds a fork's pins and queries (those not already here), in the fork's order.
    func absorb(_ fork: PlanningTransport) {
        let theirs = fork.state.withLock { $0 }
        state.withLock { s in
            for path in theirs.pinOrder where s.pins[path] == nil {
                s.pins[path] = theirs.pins[path]
                s.pinOrder.append(path)
            }
            for query in theirs.queries where !s.queries.contains(query) { s.queries.append(query) }
        }
    }

    /// Makes later steps see this step's planned content.
    func overlay(_ change: FileChange) {
        state.withLock { s in
            s.overlay[change.path] = change.after.map {
                FileSnapshot(data: $0, meta: change.afterMeta ?? FileMeta(mode: 0o644, uid: 0, gid: 0))
            }
        }
    }

    func kind(of path: String) throws -> PathKind? {
        if let o = state.withLock({ $0.overlay[path] }) { return o == nil ? nil : .file }
        return try base.kind(of: path)
    }

    func read(_ path: String) throws -> FileSnapshot? {
        if let o = state.withLock({ $0.overlay[path] }) { return o }
        let snap = try base.read(path)
        state.withLock { s in
            if s.pins[path] == nil {
                s.pins[path] = .some(snap.map { SHA256.hex($0.data) })
                s.pinOrder.append(path)
            }
        }
        return snap
    }

    func write(_ path: String, data: Data, meta: FileMeta) throws { throw EngineError.writeDuringPlan(path: path) }
    func remove(_ path: String) throws { throw EngineError.writeDuringPlan(path: path) }
    func list(_ dir: String) throws -> [String] { try base.list(dir) }

    func run(_ command: CommandSpec, output: (@Sendable (OutputLine) -> Void)?) throws -> CommandResult {
        let result = try base.run(command, output: output)
        let pin = QueryPin(
            host: host, argv: command.argv, workdir: command.workdir, sha256: QueryPin.digest(result))
        state.withLock { s in
            if !s.queries.contains(pin) { s.queries.append(pin) }
        }
        return result
    }
}
