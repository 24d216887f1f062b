import Foundation

/// Stand-ins with state for the host-fix CLI tests: shell bodies per exact argv, so a `reload` can change what a
/// later `info` prints. Like `CLISandbox.standIn`, each records its argv and fails loudly (exit 97) on anything else.
extension CLISandbox {
    /// Installs an executable script at `path` (a real path) answering `cases` (exact "$*" → shell body); the body
    /// runs with `$SANDBOX` set to the sandbox dir and `$ROOT` to the root, and must end with `exit N`.
    func scriptedStandIn(_ label: String, at path: String? = nil, cases: [(argv: String, body: String)]) throws {
        var script = "#!/bin/sh\nSANDBOX='\(dir.path)'\nROOT='\(root)'\necho \"\(label) $*\" >> '\(callsLog)'\n"
        script += "case \"$*\" in\n"
        for c in cases { script += "  '\(c.argv)')\n\(c.body)\n    ;;\n" }
        script += "esac\necho \"stand-in \(label): unexpected arguments: $*\" >&2\nexit 97\n"
        try ExecutableScript.write(script, to: path ?? bin + "/" + label)
    }

    /// The stand-ins a host fix may meet, all refusing every call unless a test gives them answers.
    func refuseAllTools() throws {
        for tool in ["systemctl", "docker", "kubectl", "helm", "helmfile", "curl", "pidof"] { try standIn(tool) }
    }

    /// Calls that change something on a real machine (the plan must never make one).
    var mutatingCalls: [String] {
        calls.filter { call in
            ["systemctl reload", "systemctl restart", "kill ", "pkill", " sync", " destroy", " apply"].contains {
                call.contains($0)
            }
        }
    }

    /// A path under the sandbox dir (outside the root), e.g. for a stand-in's state.
    func sandboxPath(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// The runs in `history --json`, newest first.
    func historyRuns() async throws -> [[String: Any]] {
        let h = try await bkfix(["history", "--json"])
        return try CLISandbox.json(h.stdout)["runs"] as? [[String: Any]] ?? []
    }

    /// Every file under the root with its bytes and mode, to prove a command wrote nothing.
    func rootSnapshot() -> [String: (Data, Int)] {
        var out: [String: (Data, Int)] = [:]
        guard let walker = FileManager.default.enumerator(atPath: root) else { return out }
        for case let relative as String in walker {
            let full = root + "/" + relative
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue else { continue }
            let mode = (try? FileManager.default.attributesOfItem(atPath: full))?[.posixPermissions] as? Int ?? -1
            out["/" + relative] = (FileManager.default.contents(atPath: full) ?? Data(), mode)
        }
        return out
    }

    /// True when the root holds exactly the same files, bytes and modes as `snapshot`.
    func rootUnchanged(since snapshot: [String: (Data, Int)]) -> Bool {
        let now = rootSnapshot()
        return now.count == snapshot.count
            && now.allSatisfy { path, value in
                snapshot[path].map { $0.0 == value.0 && $0.1 == value.1 } ?? false
            }
    }
}
