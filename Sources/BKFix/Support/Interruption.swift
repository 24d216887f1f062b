import Dispatch
import Foundation
import Synchronization

/// Ctrl-C and SIGTERM during a run: instead of dying mid-step, bkfix stops the running command's process group,
/// records the run as `interrupted` and exits, so nothing is lost.
public enum Interruption {
    private static let flag = Atomic<Int32>(0)
    private static let sources = Mutex<[DispatchSourceSignal]>([])

    /// The signal that asked bkfix to stop, or nil.
    public static var requested: Int32? {
        let s = flag.load(ordering: .acquiring)
        return s == 0 ? nil : s
    }

    /// Routes SIGINT and SIGTERM to the flag (a second Ctrl-C still kills at once).
    public static func install() {
        sources.withLock { list in
            guard list.isEmpty else { return }
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    if flag.load(ordering: .acquiring) != 0 {
                        signal(sig, SIG_DFL)
                        raise(sig)
                    }
                    flag.store(sig, ordering: .releasing)
                }
                source.resume()
                list.append(source)
            }
        }
    }
}
