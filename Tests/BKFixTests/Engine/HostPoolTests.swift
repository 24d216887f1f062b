import Foundation
import Synchronization
import Testing

@testable import BKFix

/// HostPool: results in host order whatever order hosts finish in, at most `width` at once, and with `windows` no
/// host starts after a window in which one said stop (so which hosts ran never depends on timing).
@Suite struct HostPoolTests {
    @Test func resultsComeInHostOrderAndEveryHostRunsWhenSliding() {
        let out = HostPool(width: 3).map(10, .sliding) { i -> Int in
            // Later hosts finish first.
            usleep(UInt32((10 - i) * 500))
            return i * i
        }
        #expect(out == (0..<10).map { Optional($0 * $0) })
    }

    @Test func neverMoreThanWidthHostsAtOnce() {
        let running = Mutex(0)
        let most = Mutex(0)
        _ = HostPool(width: 4).map(12, .sliding) { _ -> Int in
            let now = running.withLock { n in
                n += 1
                return n
            }
            most.withLock { $0 = max($0, now) }
            usleep(2_000)
            running.withLock { $0 -= 1 }
            return 0
        }
        #expect(most.withLock { $0 } <= 4)
        #expect(most.withLock { $0 } >= 1)
    }

    @Test func windowsStartNoHostAfterTheWindowWithAFailure() {
        let started = Mutex<Set<Int>>([])
        let body: @Sendable (Int) -> Bool = { i in
            started.withLock { _ = $0.insert(i) }
            return i == 4
        }
        let out = HostPool(width: 3).map(9, .windows, stop: { $0 }, body)
        // Window 0-2 and window 3-5 (with the failing 4) ran in full; 6-8 never started.
        #expect(started.withLock { $0 } == Set(0...5))
        #expect(out.map { $0 != nil } == [true, true, true, true, true, true, false, false, false])
    }

    @Test func withWidthOneWindowsStopAtTheFirstFailure() {
        let out = HostPool(width: 1).map(5, .windows, stop: { $0 }, { i in i == 1 })
        #expect(out == [false, true, nil, nil, nil])
    }

    @Test func widthBelowOneIsOne() {
        #expect(HostPool(width: 0).width == 1)
    }
}
