import Foundation
import Synchronization

/// On a terminal, a live line under a long step (helmfile can run 10 minutes): elapsed time and the last output line,
/// redrawn every second even while the command is silent. Off a terminal it does nothing.
final class StatusLine: Sendable {
    private struct State {
        var started: Date?
        var label = ""
        var last = ""
        /// Bumped by every start and stop, so an old redraw thread knows to end.
        var generation = 0
    }

    private let enabled: Bool
    private let state = Mutex(State())

    init(enabled: Bool) { self.enabled = enabled }

    func start(_ label: String) {
        guard enabled else { return }
        let generation = state.withLock { s -> Int in
            s = State(started: Date(), label: label, last: "", generation: s.generation + 1)
            return s.generation
        }
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 1)
                guard state.withLock({ $0.generation == generation }) else { return }
                redraw()
            }
        }
    }

    /// Prints a finished output line above the status line.
    func line(_ text: String, elapsed: Double) {
        let printed = "      [\(String(format: "%4.0f", elapsed))s] \(text)\n"
        guard enabled else {
            FileHandle.standardError.write(Data(printed.utf8))
            return
        }
        state.withLock { $0.last = text }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + printed).utf8))
        redraw()
    }

    func stop() {
        guard enabled else { return }
        state.withLock {
            $0.generation += 1
            $0.started = nil
        }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func redraw() {
        let text: String? = state.withLock { s in
            guard let started = s.started else { return nil }
            let seconds = Int(Date().timeIntervalSince(started))
            let last = s.last.isEmpty ? "" : " — \(s.last)"
            return String("      ⏱ \(seconds)s \(s.label)\(last)".prefix(160))
        }
        if let text { FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8)) }
    }
}
