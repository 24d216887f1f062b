import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The ssh control masters this process uses, one per control socket: the first call to a socket opens its master
/// (ControlMaster=auto) while the other calls to the same socket wait, so concurrent hosts never race to become
/// master and each master is opened once per run; every later call rides it. When the process exits, every master it
/// used is closed (`ssh -O exit`), so none is left behind for ControlPersist's 60 s; that timeout only matters when
/// bkfix itself is killed.
public final class SSHMasters: @unchecked Sendable {
    public static let shared = SSHMasters()

    /// How to close one master: `ssh ... -O exit -- user@host` and the environment ssh runs in.
    struct Closer {
        var argv: [String]
        var environment: [String: String]
    }

    private let condition = NSCondition()
    private var opening: Set<String> = []
    private var masters: [String: Closer] = [:]
    private var exitHookInstalled = false

    /// Runs one ssh call on `socket`: the first one alone (it opens the master), then any number at once.
    func use<T>(socket: String, closer: Closer, _ call: () throws -> T) rethrows -> T {
        condition.lock()
        while opening.contains(socket) { condition.wait() }
        if masters[socket] != nil {
            condition.unlock()
            return try call()
        }
        opening.insert(socket)
        condition.unlock()
        defer {
            condition.lock()
            opening.remove(socket)
            // A master is there when its socket is (an unreachable node leaves none: the next call tries again).
            var st = stat()
            if lstat(socket, &st) == 0 {
                masters[socket] = closer
                if !exitHookInstalled {
                    exitHookInstalled = true
                    atexit { SSHMasters.shared.closeAll() }
                }
            }
            condition.broadcast()
            condition.unlock()
        }
        return try call()
    }

    /// The control sockets of the masters in use.
    public var sockets: [String] {
        condition.lock()
        defer { condition.unlock() }
        return masters.keys.sorted()
    }

    /// Closes every master this process used, all at once, and waits (at most 5 s) until their sockets are gone.
    public func closeAll() {
        condition.lock()
        let closing = masters
        masters = [:]
        condition.unlock()
        guard !closing.isEmpty else { return }
        let group = DispatchGroup()
        for (_, closer) in closing {
            group.enter()
            DispatchQueue.global().async {
                _ = try? ProcessRunner.run(
                    closer.argv, workdir: nil, environment: closer.environment, timeout: 10, interruptible: false,
                    output: nil)
                group.leave()
            }
        }
        group.wait()
        let deadline = Date().addingTimeInterval(5)
        for socket in closing.keys {
            var st = stat()
            while lstat(socket, &st) == 0 && Date() < deadline { usleep(10_000) }
        }
    }
}
