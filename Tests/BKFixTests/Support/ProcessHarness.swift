import Foundation

/// What a child process did.
struct ProcessOutput: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a real process off the main thread (termination handler, no `waitUntilExit`), with output captured in files
/// so large outputs cannot deadlock, and stdin from the given bytes (never a TTY).
enum ProcessHarness {
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: Data = Data(),
        workdir: String? = nil
    ) async throws -> ProcessOutput {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bkfix-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("out")
        let errURL = scratch.appendingPathComponent("err")
        let inURL = scratch.appendingPathComponent("in")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        try stdin.write(to: inURL)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        if let workdir { process.currentDirectoryURL = URL(fileURLWithPath: workdir) }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try out.close()
        try err.close()
        try input.close()
        return ProcessOutput(
            status: status, stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
    }
}
