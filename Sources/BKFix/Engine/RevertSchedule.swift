import Foundation

/// A temporary fix (`apply --revert-after`): the rollback systemd will run unless the operator confirms the change,
/// as network devices' "commit confirmed". Kept in the state repo as `reverts/<run>.json`; each step of its life
/// (scheduled, confirmed by whom, reverted on schedule or by hand, a revert that failed) is its own commit, so the
/// history stays append-only and `git log reverts/` tells the story.
public struct RevertSchedule: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        /// The timer is set: the run is rolled back at `due` unless confirmed.
        case scheduled
        /// systemd-run failed: the change stays until rolled back by hand.
        case notScheduled = "not-scheduled"
        /// The operator kept the change; the timer was stopped.
        case confirmed
        /// The run was rolled back (by the timer, or by hand before it fired).
        case reverted
        /// The timer fired but the rollback was refused or failed; it can be retried, or the change confirmed.
        case revertFailed = "revert-failed"
    }

    public var run: String
    public var playbook: String
    /// As given: `2h`.
    public var after: String
    public var scheduledAt: Date
    public var due: Date
    /// The systemd unit (`bkfix-revert-<run>`; its timer is `<unit>.timer`).
    public var unit: String
    /// The `systemd-run` command line that set the timer.
    public var command: [String]
    public var state: State
    public var scheduledBy: String
    public var confirmedBy: String? = nil
    public var confirmedAt: Date? = nil
    /// The rollback run that reverted it.
    public var revertedBy: String? = nil
    public var revertedAt: Date? = nil
    /// True when the timer reverted it, false when an operator rolled it back first.
    public var onSchedule: Bool? = nil
    /// What systemd said, or why the revert failed.
    public var detail: String? = nil

    /// Still waiting for its timer or for a decision.
    public var isPending: Bool { state == .scheduled || state == .revertFailed }
}

/// The `reverts/` folder of the state repo: read at HEAD, changed by one commit per step.
public struct RevertLedger: Sendable {
    public let store: RunStore

    public init(store: RunStore) { self.store = store }

    static func path(_ run: String) -> String { "reverts/\(run).json" }

    /// The schedule of a run, if it was applied as a temporary fix.
    public func schedule(for run: String) throws -> RevertSchedule? {
        guard let data = try store.repo.read(Self.path(run)) else { return nil }
        return try decode(data, path: Self.path(run))
    }

    /// Every schedule, the newest first.
    public func all() throws -> [RevertSchedule] {
        try store.repo.list(under: "reverts").filter { $0.hasSuffix(".json") }.compactMap { key in
            try store.repo.read(key).map { try decode($0, path: key) }
        }
        .sorted { $0.scheduledAt > $1.scheduledAt }
    }

    /// `all()`, or nothing without opening git when the working tree has no `reverts/` folder: each schedule is
    /// written there as it is committed, so a repo that never had a temporary fix answers without libgit2's start-up
    /// (`history` on 10,000 runs). Git stays the truth: when the folder is there, the schedules are read from git.
    public func allIfAny() throws -> [RevertSchedule] {
        var isDirectory: ObjCBool = false
        let folder = (store.repo.path as NSString).appendingPathComponent("reverts")
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return []
        }
        return try all()
    }

    /// Records a new state of a schedule as its own commit (`Kind: revert`, `Revert-Of: <run>`).
    func save(_ schedule: RevertSchedule, subject: String, operatorName: String) throws {
        let message =
            "\(subject)\n\nKind: revert\nRevert-Of: \(schedule.run)\n"
            + "Playbook: \(schedule.playbook)\nOperator: \(operatorName)\nStatus: \(schedule.state.rawValue)\n"
            + "Bkfix-Version: \(BuildInfo.stamp)\n"
        try store.repo.commit(
            updates: [Self.path(schedule.run): try RunStore.encoder.encode(schedule)], message: message)
    }

    private func decode(_ data: Data, path: String) throws -> RevertSchedule {
        do {
            return try RunStore.decoder.decode(RevertSchedule.self, from: data)
        } catch {
            throw StateRepoError.corruptRecord(path: path, commit: "HEAD", reason: RunStore.decodingProblem(error))
        }
    }
}
