import Foundation
import Synchronization

/// Where one host's apply events go: straight to the front end when hosts run one at a time, or held back while
/// hosts run at once and then passed on host after host (`flush`), so the output stays grouped per host in plan
/// order, whatever order the hosts finished in.
final class HostEvents: Sendable {
    private let sink: @Sendable (ApplyEvent) -> Void
    private let holding: Bool
    private let held = Mutex<[ApplyEvent]>([])

    init(_ sink: @escaping @Sendable (ApplyEvent) -> Void, holding: Bool = false) {
        self.sink = sink
        self.holding = holding
    }

    func callAsFunction(_ event: ApplyEvent) {
        guard holding else { return sink(event) }
        held.withLock { $0.append(event) }
    }

    /// Passes on what was held, in the order it came.
    func flush() {
        guard holding else { return }
        let events = held.withLock { events in
            defer { events = [] }
            return events
        }
        for event in events { sink(event) }
    }
}
