import Foundation

/// The filesystem holding a directory on a host, as `df -B1 -P .` run in that directory reports it (so a node's
/// `root:` applies to the directory). Read-only.
public struct DiskFree: Sendable, Equatable {
    public var filesystem: String
    public var size: Double
    public var available: Double
    public var mountedOn: String

    public static let argv = ["df", "-B1", "-P", "."]

    /// The space of `directory`, or nil when the directory does not exist on the host.
    public static func read(_ directory: String, on transport: any Transport) throws -> DiskFree? {
        guard case .directory = try transport.kind(of: directory) else { return nil }
        let result = try transport.run(CommandSpec(argv: argv, workdir: directory, timeout: 30), output: nil)
        guard result.succeeded, let parsed = parse(result.stdout) else {
            let why = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StepError.cannotPlan(
                step: "df",
                reason: "`df -B1 -P .` in \(directory) on \(transport.host) failed (exit \(result.exitCode))"
                    + (why.isEmpty ? "" : ": \(why)"))
        }
        return parsed
    }

    /// `Filesystem 1-blocks Used Available Capacity Mounted on` then one line per filesystem (-P never wraps).
    static func parse(_ output: String) -> DiskFree? {
        guard let line = output.split(separator: "\n").dropFirst().first else { return nil }
        let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard fields.count >= 6, let size = Double(fields[1]), let available = Double(fields[3]) else { return nil }
        return DiskFree(
            filesystem: fields[0], size: size, available: available,
            mountedOn: fields[5...].joined(separator: " "))
    }
}
