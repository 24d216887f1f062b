import Foundation
import Synchronization

/// One host's clock against the control machine's: `date +%s.%N` on the host, corrected by half the round trip.
public struct ClockReading: Sendable, Equatable {
    public var host: String
    /// Seconds the host is ahead of the control machine (negative: behind).
    public var offset: Double
    /// Seconds the measuring call took, there and back.
    public var roundTrip: Double

    public init(host: String, offset: Double, roundTrip: Double) {
        self.host = host
        self.offset = offset
        self.roundTrip = roundTrip
    }

    /// How far off the offset can be: the host read its clock somewhere within the round trip, so the true offset
    /// lies within half of it either way.
    public var uncertainty: Double { roundTrip / 2 }

    /// Certainly more than `maxSkew` seconds off the control machine, whatever the round trip hides.
    public func isOff(maxSkew: Double) -> Bool { abs(offset) - uncertainty > maxSkew }

    /// Certainly within `maxSkew` seconds of the control machine.
    public func isInSync(maxSkew: Double) -> Bool { abs(offset) + uncertainty <= maxSkew }

    /// One row of the clock table, aligned for the usual host names: `clock node-2    +62.004 s  (round trip 12 ms)
    /// off by more than 1 s`. A round trip too long to tell either way says so: such a host is left alone.
    public func row(maxSkew: Double, language: Language) -> String {
        let host = self.host.padding(toLength: max(self.host.count, 10), withPad: " ", startingAt: 0)
        let value = String(format: "%+.3f", offset)
        let shown = String(repeating: " ", count: max(0, 9 - value.count)) + value
        let trip = Int((roundTrip * 1000).rounded())
        let skew = Self.seconds(maxSkew)
        if language == .zh {
            let verdict =
                isOff(maxSkew: maxSkew)
                ? "偏差超过 \(skew) 秒" : isInSync(maxSkew: maxSkew) ? "一致（不超过 \(skew) 秒）" : "往返太久，无法判断（不做修改）"
            return "时钟 \(host) \(shown) 秒（往返 \(trip) 毫秒）  \(verdict)"
        }
        let verdict =
            isOff(maxSkew: maxSkew)
            ? "off by more than \(skew) s"
            : isInSync(maxSkew: maxSkew)
                ? "in sync (within \(skew) s)" : "cannot tell: the round trip is too long (left alone)"
        return "clock \(host) \(shown) s  (round trip \(trip) ms)  \(verdict)"
    }

    /// `1`, `0.5`: seconds as an operator writes them.
    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%g", value)
    }
}

/// Measures clocks over a host's transport. The reference is this process's clock, which is the control machine's.
public enum ClockOffset {
    /// The query run on the host; read-only.
    public static let argv = ["date", "+%s.%N"]
    /// The test-only knob: a file of `HOST SECONDS` lines, each added to that host's answer (see README, "Fault
    /// injection (test only)"). Tests play a node whose clock is off without changing a real clock; the measurement
    /// itself (the real `date` over the real ssh) is unchanged. Inert unless set.
    public static let shiftVariable = "BKFIX_TEST_CLOCK_SHIFT"

    /// Measures `samples` times and keeps the sample with the shortest round trip (the least disturbed one); when
    /// that sample cannot tell whether the host is within `maxSkew`, up to `extra` more samples are taken. The round
    /// trip ends when the answer's line arrives, not when the ssh call has finished closing: the time the call takes
    /// after `date` has answered would only widen the uncertainty.
    public static func measure(
        _ transport: any Transport, environment: [String: String], maxSkew: Double? = nil, samples: Int = 3,
        extra: Int = 5
    ) throws -> ClockReading {
        var best: ClockReading?
        let first = max(1, samples)
        for index in 0..<(first + (maxSkew == nil ? 0 : max(0, extra))) {
            if index >= first, let best, let maxSkew, best.isOff(maxSkew: maxSkew) || best.isInSync(maxSkew: maxSkew) {
                break
            }
            let arrived = Mutex<Double?>(nil)
            let sent = Date().timeIntervalSince1970
            let result = try transport.run(CommandSpec(argv: argv, timeout: 30)) { line in
                if case .stdout = line { arrived.withLock { $0 = $0 ?? Date().timeIntervalSince1970 } }
            }
            let received = arrived.withLock { $0 } ?? Date().timeIntervalSince1970
            let answer = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard result.succeeded, let remote = parse(answer) else {
                let stderr = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
                let why = result.succeeded ? "it answered '\(answer)'" : "exit status \(result.exitCode)"
                throw HostStateError.clockUnreadable(
                    host: transport.host, reason: why + (stderr.isEmpty ? "" : ": " + stderr))
            }
            let shifted = remote + shift(for: transport.host, environment: environment)
            let reading = ClockReading(
                host: transport.host, offset: shifted - (sent + received) / 2, roundTrip: received - sent)
            if best.map({ reading.roundTrip < $0.roundTrip }) ?? true { best = reading }
        }
        return best!
    }

    /// `1733380000.123456789`; a `date` without `%N` (busybox) answers `1733380000.N` or `1733380000.%N`: whole seconds.
    static func parse(_ answer: String) -> Double? {
        if let value = Double(answer), value.isFinite, value > 0 { return value }
        let whole = answer.split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        guard !whole.isEmpty, whole.allSatisfy(\.isNumber), let value = Double(whole) else { return nil }
        return value
    }

    /// The test knob's shift for a host (0 when unset, unreadable or not listed).
    static func shift(for host: String, environment: [String: String]) -> Double {
        guard let file = environment[shiftVariable], !file.isEmpty,
            let text = try? String(contentsOfFile: file, encoding: .utf8)
        else { return 0 }
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if words.count == 2, words[0] == host, let seconds = Double(words[1]) { return seconds }
        }
        return 0
    }
}
