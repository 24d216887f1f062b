import Foundation

/// One answer of a scripted stand-in: it prints a file as it is when called (so a later call can see what an
/// earlier one changed) or a literal, exits with a status, then copies or removes files — how `kubectl patch`,
/// `helm rollback` or `helmfile sync` change what the next `get` or `history` shows.
struct StandInAnswer {
    var stdout = ""
    /// Printed instead of `stdout`; when it does not exist, `missing` is printed on stderr with exit status 1.
    var stdoutFile: String? = nil
    var missing = ""
    var stderr = ""
    var status: Int32 = 0
    /// After answering: copy `from` over `to`, or remove `to` when `from` is nil.
    var then: [(from: String?, to: String)] = []
}

extension CLISandbox {
    /// Installs a stand-in for `tool` answering exactly the given argv strings ("$*"), in order of the list; every
    /// call is recorded in `calls.log` ("tool args"), and any other argv fails loudly (exit 97).
    func scriptedStandIn(_ tool: String, _ answers: [(argv: String, answer: StandInAnswer)]) throws {
        func quote(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        var script = "#!/bin/sh\necho \"\(tool) $*\" >> \(quote(callsLog))\ncase \"$*\" in\n"
        for (argv, answer) in answers {
            var body = ""
            if let file = answer.stdoutFile {
                body +=
                    "if [ -e \(quote(file)) ]; then cat \(quote(file)); else printf '%s\\n' \(quote(answer.missing)) >&2; exit 1; fi; "
            } else if !answer.stdout.isEmpty {
                body += "printf '%s' \(quote(answer.stdout)); "
            }
            if !answer.stderr.isEmpty { body += "printf '%s\\n' \(quote(answer.stderr)) >&2; " }
            for step in answer.then {
                body += step.from.map { "cp \(quote($0)) \(quote(step.to)); " } ?? "rm -f \(quote(step.to)); "
            }
            script += "  \(quote(argv))) \(body)exit \(answer.status) ;;\n"
        }
        script += "esac\necho \"stand-in \(tool): unexpected arguments: $*\" >&2\nexit 97\n"
        try ExecutableScript.write(script, to: bin + "/" + tool)
    }
}
