import Foundation

@testable import BKFix

/// Helpers shared by the host-fix tests: a plan context over a memory transport, canned command answers,
/// and applying planned file changes to a memory host the way the engine would.
enum HostTestSupport {
    static func context(
        _ transport: MemoryTransport, installDir: String? = "/root/bkce7.1-install", language: Language = .en,
        environment: [String: String] = [
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": "/root",
        ]
    ) -> PlanContext {
        PlanContext(
            host: transport.host, transport: transport, control: transport, installDir: installDir, language: language,
            environment: environment)
    }

    static func ok(_ argv: [String], _ stdout: String = "") -> CommandResult {
        CommandResult(argv: argv, exitCode: 0, stdout: stdout, stderr: "", duration: 0, timedOut: false)
    }

    static func fail(_ argv: [String], _ code: Int32 = 1, stderr: String = "") -> CommandResult {
        CommandResult(argv: argv, exitCode: code, stdout: "", stderr: stderr, duration: 0, timedOut: false)
    }

    static func args(_ kind: String, _ values: [String: ArgValue] = [:]) -> StepArgs {
        StepArgs(kind: kind, values: values)
    }

    /// Writes (or removes) every file change of a plan on the memory host, as the Applier would.
    static func apply(_ plan: StepPlan, to transport: MemoryTransport) throws {
        for change in plan.changes {
            guard case .file(let f) = change else { continue }
            if let after = f.after {
                try transport.write(f.path, data: after, meta: f.afterMeta ?? FileMeta(mode: 0o644, uid: 0, gid: 0))
            } else {
                try transport.remove(f.path)
            }
        }
    }

    /// Undoes every file change of a plan (the inverse changes in reverse order).
    static func rollback(_ plan: StepPlan, on transport: MemoryTransport) throws {
        for change in plan.changes.reversed() {
            guard case .file(let f) = change else { continue }
            try apply(StepPlan(changes: [.file(f.inverse)]), to: transport)
        }
    }

    static func fileChanges(_ plan: StepPlan) -> [FileChange] {
        plan.changes.compactMap { if case .file(let f) = $0 { return f } else { return nil } }
    }

    static func commandChanges(_ plan: StepPlan) -> [CommandChange] {
        plan.changes.compactMap { if case .command(let c) = $0 { return c } else { return nil } }
    }
}
