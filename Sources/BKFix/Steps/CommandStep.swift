import Foundation

/// `command`: run an argv (never a shell string) with a declared risk and, when reversible, its undo.
public enum CommandStep: StepKind {
    public static let name = "command"
    public static let requiredKeys: Set<String> = ["argv", "risk"]
    public static let optionalKeys: Set<String> = ["workdir", "timeout", "undo", "fallbacks", "confirm", "summary"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let argv = try args.strings("argv")
        guard !argv.isEmpty else { throw StepError.badArgument(step: name, key: "argv", reason: "empty command") }
        guard let risk = Risk(rawValue: try args.string("risk")) else {
            throw StepError.badArgument(
                step: name, key: "risk",
                reason: "expected one of \(Risk.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let undo = try argvList(args, "undo")
        if (risk == .reversible || risk == .compensating) && undo.isEmpty {
            throw StepError.badArgument(
                step: name, key: "undo", reason: "a \(risk.rawValue) command must declare its undo")
        }
        let workdir = try args.optionalString("workdir")
        let timeout = try args.double("timeout", default: 600)
        // An irreversible command's `undo` is its compensation (the sync after a `helm uninstall`): it restores
        // function, it is not itself irreversible.
        let undoCommands = undo.map {
            CommandChange(
                host: context.host, argv: $0, workdir: workdir, timeout: timeout,
                risk: risk == .irreversible ? .compensating : risk)
        }
        let command = CommandChange(
            host: context.host, argv: argv, workdir: workdir, timeout: timeout, risk: risk, undo: undoCommands,
            fallbacks: try argvList(args, "fallbacks"),
            confirmWord: risk == .irreversible ? (try args.optionalString("confirm") ?? context.host) : nil,
            summary: try args.optionalString("summary") ?? argv.joined(separator: " "))
        return StepPlan(changes: [.command(command)])
    }

    /// A list of argv lists (`[[a, b], [c]]`).
    static func argvList(_ args: StepArgs, _ key: String) throws -> [[String]] {
        guard let v = args.values[key] else { return [] }
        guard case .list(let items) = v else {
            throw StepError.badArgument(step: name, key: key, reason: "expected a list of argv lists")
        }
        return try items.map {
            guard case .list = $0, let l = $0.stringList else {
                throw StepError.badArgument(step: name, key: key, reason: "expected a list of argv lists")
            }
            return l
        }
    }
}
