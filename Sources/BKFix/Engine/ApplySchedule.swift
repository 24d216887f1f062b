import Foundation

/// The order a plan's changes run in: segments, one after the other. A run of consecutive file changes on nodes
/// (hosts whose transport batches, see BatchingTransport) is one concurrent segment: each of its hosts writes all
/// its files of the segment in one round trip, the hosts `--forks` at a time. Any other change (a command, a file on
/// the control machine) is a segment of its own, run alone, in its place.
///
/// It also says which node's checks can be answered from the round trip of its last write: when nothing runs on
/// that node after that segment and no command runs after it anywhere (a command could change what the check reads).
struct ApplySchedule: Sendable {
    struct Segment: Sendable {
        /// Change indices, in plan order.
        var changes: [Int]
        var concurrent: Bool
    }

    var segments: [Segment] = []
    /// For each change: its index in the record's `files` (true) or `commands` (false).
    var slots: [(file: Bool, index: Int)] = []
    /// The node paths the checks read, per node, read at the end of the write round trip of segment `verifyAt[host]`.
    var verifyReads: [String: [String]] = [:]
    var verifyAt: [String: Int] = [:]

    init(_ plan: Plan, hosts: HostDirectory) {
        var files = 0
        var commands = 0
        var batching: [String: Bool] = [:]
        func batches(_ host: String) -> Bool {
            if let known = batching[host] { return known }
            let b = hosts.batchingTransport(for: host) != nil
            batching[host] = b
            return b
        }
        for (i, change) in plan.changes.enumerated() {
            switch change {
            case .file(let f):
                slots.append((true, files))
                files += 1
                if batches(f.host) {
                    if let last = segments.last, last.concurrent {
                        segments[segments.count - 1].changes.append(i)
                    } else {
                        segments.append(Segment(changes: [i], concurrent: true))
                    }
                    continue
                }
            case .command:
                slots.append((false, commands))
                commands += 1
            }
            segments.append(Segment(changes: [i], concurrent: false))
        }
        var lastSegment: [String: Int] = [:]
        var lastCommandSegment = -1
        for (s, segment) in segments.enumerated() {
            for i in segment.changes {
                lastSegment[plan.changes[i].host] = s
                if case .command = plan.changes[i] { lastCommandSegment = s }
            }
        }
        for (host, s) in lastSegment where segments[s].concurrent && s > lastCommandSegment {
            let paths = ReadAhead.paths(
                plan.verify.filter { $0.host == host }.map { StepArgs(kind: $0.kind, values: $0.args) })
            guard !paths.isEmpty else { continue }
            verifyReads[host] = paths
            verifyAt[host] = s
        }
    }

    /// The hosts of a segment in the order they first appear, each with its change indices.
    static func byHost(_ segment: Segment, _ plan: Plan) -> [(host: String, changes: [Int])] {
        var out: [(host: String, changes: [Int])] = []
        for i in segment.changes {
            let host = plan.changes[i].host
            if let k = out.firstIndex(where: { $0.host == host }) {
                out[k].changes.append(i)
            } else {
                out.append((host, [i]))
            }
        }
        return out
    }
}
