import Foundation

@testable import BKFix

/// A stand-in kubectl answering from a recorded scenario folder (`Fixtures/diag/live/NAME`); any other argv fails loudly.
enum RecordedCluster {
    static func transport(_ scenario: String, context: String? = nil) -> MemoryTransport {
        let dir = Fixtures.url("diag/live/\(scenario)")
        return MemoryTransport(responder: { argv in respond(argv, dir: dir, context: context) })
    }

    static func respond(_ argv: [String], dir: URL, context: String?) -> CommandResult {
        func file(_ name: String, orEmptyList: Bool = true) -> CommandResult {
            let url = dir.appendingPathComponent(name)
            if let data = try? Data(contentsOf: url) { return ok(argv, String(decoding: data, as: UTF8.self)) }
            return orEmptyList
                ? ok(argv, #"{"apiVersion": "v1", "items": [], "kind": "List"}"#) : fail(argv, "no \(name)")
        }
        var args = argv
        guard args.first == "kubectl" else { return fail(argv, "unexpected command \(argv)") }
        args.removeFirst()
        if let context {
            guard args.count >= 2, args[0] == "--context", args[1] == context else {
                return fail(argv, "missing --context")
            }
            args.removeFirst(2)
        }
        switch args {
        case ["get", "pods", "-A", "-o", "json"]: return file("pods.json", orEmptyList: false)
        case ["get", "pvc", "-A", "-o", "json"]: return file("pvc.json")
        case ["get", "sc", "-o", "json"]: return file("sc.json")
        default: break
        }
        if args.count == 6, args[0...1] == ["get", "events"], args[2] == "-n", args[4...5] == ["-o", "json"] {
            return file("events-\(args[3]).json")
        }
        if args.count >= 7, args[0...2] == ["logs", "-p", "-n"], args[5] == "--tail" {
            let base = "logs/\(args[3])_\(args[4])"
            if let err = try? String(contentsOf: dir.appendingPathComponent(base + ".err"), encoding: .utf8) {
                return CommandResult(argv: argv, exitCode: 1, stdout: "", stderr: err, duration: 0, timedOut: false)
            }
            return file(base + ".txt", orEmptyList: false)
        }
        return fail(argv, "unexpected kubectl argv \(argv)")
    }

    static func ok(_ argv: [String], _ out: String) -> CommandResult {
        CommandResult(argv: argv, exitCode: 0, stdout: out, stderr: "", duration: 0, timedOut: false)
    }

    static func fail(_ argv: [String], _ why: String) -> CommandResult {
        CommandResult(argv: argv, exitCode: 127, stdout: "", stderr: why, duration: 0, timedOut: false)
    }
}

/// What a scenario must produce.
struct LiveExpectation: Decodable, Sendable {
    var top: String?
    var count: Int?
    var cases: [String: [String: String]]
    /// Params a case must not pass on (they would mean something else to its playbook).
    var absentParams: [String: [String]]?

    enum CodingKeys: String, CodingKey {
        case top, count, cases
        case absentParams = "absent_params"
    }

    static func load(_ scenario: String) throws -> LiveExpectation {
        try JSONDecoder().decode(LiveExpectation.self, from: Fixtures.data("diag/live/\(scenario)/expected.json"))
    }
}
