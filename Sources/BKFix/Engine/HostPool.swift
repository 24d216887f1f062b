import Foundation
import Synchronization

/// Runs one piece of work per host, at most `width` at a time, each on a thread of its own (the work waits on ssh,
/// not on the CPU), and returns the results in the hosts' order, whatever order they finished in.
///
/// Two ways to go through the hosts:
/// - `sliding`: a new host starts as soon as one finishes (every host runs anyway: `--keep-going`, reads).
/// - `windows`: hosts go `width` at a time, in order, and a window starts only when the previous one has finished;
///   after a window in which some result says stop (a failure without `--keep-going`), no later host starts. So
///   which hosts ran never depends on timing: with `--forks 1` that is "stop at the first failing host", with
///   `--forks N` "the N hosts of the failing host's window finish, the others do not start".
struct HostPool: Sendable {
    var width: Int

    init(width: Int) { self.width = max(1, width) }

    enum Order { case sliding, windows }

    /// The usual `stop`: the host's work failed.
    @Sendable static func failed<T>(_ outcome: Result<T, any Error>) -> Bool {
        if case .failure = outcome { true } else { false }
    }

    /// `body(i)` for i in 0..<count; nil for a host that was not started (only in `windows`).
    func map<R: Sendable>(
        _ count: Int, _ order: Order, stop: @Sendable (R) -> Bool = { _ in false },
        _ body: @escaping @Sendable (Int) -> R
    ) -> [R?] {
        guard count > 0 else { return [] }
        if width == 1 || count == 1 {
            var out: [R?] = Array(repeating: nil, count: count)
            for i in 0..<count {
                let r = body(i)
                out[i] = r
                if order == .windows && stop(r) { break }
            }
            return out
        }
        let results = Mutex<[R?]>(Array(repeating: nil, count: count))
        switch order {
        case .sliding:
            let next = Atomic<Int>(0)
            Self.onThreads(min(width, count)) {
                while true {
                    let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    guard i < count else { return }
                    let r = body(i)
                    results.withLock { $0[i] = r }
                }
            }
        case .windows:
            var start = 0
            while start < count {
                let window = start..<min(start + width, count)
                Self.onThreads(window.count) { k in
                    let i = window.lowerBound + k
                    let r = body(i)
                    results.withLock { $0[i] = r }
                }
                start = window.upperBound
                if results.withLock({ $0[window].contains { $0.map(stop) ?? false } }) { break }
            }
        }
        return results.withLock { $0 }
    }

    /// Runs `work` on `n` new threads (8 MB stacks, as the main thread's) and waits for all of them.
    private static func onThreads(_ n: Int, _ work: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for k in 0..<n {
            group.enter()
            let thread = Thread {
                work(k)
                group.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        group.wait()
    }

    private static func onThreads(_ n: Int, _ work: @escaping @Sendable () -> Void) {
        onThreads(n) { (_: Int) in work() }
    }
}
