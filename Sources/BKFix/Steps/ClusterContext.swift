import Foundation

/// Which cluster a step or check acts on: its `context` argument, else kubectl's current context (kubectl reads
/// `KUBECONFIG` itself). The answer names the pseudo-host (`cluster:<context>`) the changes are recorded under, and
/// every kubectl/helm command of the plan carries it, so a later rollback acts on the same cluster.
enum ClusterContext {
    static let currentContextArgv = ["kubectl", "config", "current-context"]

    static func resolve(_ args: StepArgs, in context: PlanContext) throws -> String {
        if let given = try args.optionalString("context"), !given.isEmpty {
            guard !given.contains(where: \.isNewline) else {
                throw StepError.badArgument(step: args.kind, key: "context", reason: "a context name is one line")
            }
            return given
        }
        let result = try context.query(currentContextArgv)
        let name = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.succeeded, !name.isEmpty, !name.contains(where: \.isNewline) else {
            let why = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw StepError.cannotPlan(
                step: args.kind,
                reason: "kubectl has no current context (`\(currentContextArgv.joined(separator: " "))`: "
                    + "\(why.isEmpty ? "exit status \(result.exitCode)" : why)); set KUBECONFIG or give -p context=NAME"
            )
        }
        return name
    }

    /// The read-only kubectl client for that context, through the step's pinned control transport.
    static func kubectl(_ name: String, in context: PlanContext) -> KubectlClient {
        KubectlClient(transport: context.control, context: name)
    }
}
