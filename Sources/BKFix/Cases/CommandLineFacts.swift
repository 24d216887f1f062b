import Foundation

/// What a `helm`, `helmfile` or `kubectl` command line names: its namespace (`-n`, `--namespace`), its release
/// (helm's positional release, a `-l name=REL` or `app.kubernetes.io/instance=REL` selector) and the pod of
/// `kubectl logs/describe/delete/exec`.
enum CommandLineFacts {
    static let programs: Set<String> = ["helm", "helmfile", "kubectl"]

    /// helm subcommands whose first positional argument is a release name.
    static let releaseSubcommands: Set<String> = [
        "install", "upgrade", "uninstall", "delete", "del", "rollback", "history", "hist", "status", "test",
    ]

    /// Flags (helm, helmfile, kubectl) that take the next word as their value.
    static let valueFlags: Set<String> = [
        "-n", "--namespace", "-f", "--file", "--values", "--set", "--set-string", "--set-file", "--set-json",
        "--version", "--timeout", "--kube-context", "--kubeconfig", "--context", "-o", "--output", "--repo",
        "--description", "--post-renderer", "--post-renderer-args", "--username", "--password", "--ca-file",
        "--cert-file", "--key-file", "--history-max", "--max", "--revision", "--registry-config",
        "--repository-config", "--repository-cache", "-c", "--container", "-l", "--selector", "--tail", "--since",
        "-e", "--environment", "--state-values-set", "--args", "--log-level", "--concurrency", "-i",
    ]

    /// True for `helm`, `/usr/local/bin/helm`, `helmfile`, `kubectl`.
    static func isProgram(_ token: String) -> Bool {
        programs.contains(String(token.split(separator: "/").last ?? ""))
    }

    /// What may stand before the program on a line: a prompt (`$`, `#`, `[root@host dir]#`), `sudo`, `time`.
    static func isPromptToken(_ token: String) -> Bool {
        ["sudo", "time", "exec", "$", "#", ">"].contains(token) || token.hasSuffix("#") || token.hasSuffix("$")
            || token.hasPrefix("[")
    }

    /// The facts of `argv` (program first), as (param name, value) pairs.
    static func facts(_ argv: ArraySlice<String>) -> [(String, String)] {
        guard let program = argv.first.map({ String($0.split(separator: "/").last ?? "") }), programs.contains(program)
        else { return [] }
        var out: [(String, String)] = []
        var positionals: [String] = []
        var index = argv.startIndex + 1
        while index < argv.endIndex {
            let word = argv[index]
            index += 1
            if word == "--" { break }
            if word.hasPrefix("-"), word.count > 1 {
                var flag = word
                var value: String?
                if let eq = word.firstIndex(of: "="),
                    word.hasPrefix("--") || word.hasPrefix("-n") || word.hasPrefix("-l")
                {
                    flag = String(word[..<eq])
                    value = String(word[word.index(after: eq)...])
                } else if word.count > 2, !word.hasPrefix("--"), ["-n", "-l"].contains(String(word.prefix(2))) {
                    flag = String(word.prefix(2))
                    value = String(word.dropFirst(2))
                } else if valueFlags.contains(word), index < argv.endIndex {
                    value = argv[index]
                    index += 1
                }
                guard let value else { continue }
                switch flag {
                case "-n", "--namespace": out.append(("namespace", value))
                case "-l", "--selector": out += selectorReleases(value).map { ("release", $0) }
                default: break
                }
            } else {
                positionals.append(word)
            }
        }
        switch program {
        case "helm":
            guard let sub = positionals.first else { break }
            if releaseSubcommands.contains(sub), positionals.count >= 2 {
                out.append(("release", positionals[1]))
            } else if sub == "get", positionals.count >= 3 {
                out.append(("release", positionals[2]))
            }
        case "kubectl":
            guard let sub = positionals.first else { break }
            var rest = positionals.dropFirst()
            if ["describe", "delete", "get"].contains(sub) {
                guard let kind = rest.first else { break }
                if kind.hasPrefix("pod/") || kind.hasPrefix("pods/") {
                    out.append(("pod", String(kind.split(separator: "/")[1])))
                    break
                }
                guard ["pod", "pods", "po"].contains(kind) else { break }
                rest = rest.dropFirst()
            } else if !["logs", "exec", "attach", "port-forward"].contains(sub) {
                break
            }
            if let pod = rest.first.map({ $0.hasPrefix("pod/") ? String($0.dropFirst(4)) : $0 }),
                PodNames.isPodName(pod)
            {
                out.append(("pod", pod))
            }
        default:
            break
        }
        return out
    }

    /// The release names in a label selector: `name=REL` (helmfile), `app.kubernetes.io/instance=REL`, `release=REL`.
    static func selectorReleases(_ selector: String) -> [String] {
        selector.split(separator: ",").compactMap { term in
            let pair = term.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, ["name", "app.kubernetes.io/instance", "release"].contains(pair[0]), !pair[1].isEmpty
            else { return nil }
            return pair[1]
        }
    }
}
