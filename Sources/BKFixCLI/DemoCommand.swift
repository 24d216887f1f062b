import ArgumentParser
import BKFix
import Foundation

/// `bkfix demo`: build a sandbox control machine and run the real commands on it, printing each one.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the whole loop on a sandbox: plan, apply, history, show, rollback; then docker-mirror.")

    @Option(help: "Build the sandbox in DIR instead of a new temporary folder.")
    var dir: String?

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let sandbox =
                try dir.map { d -> DemoSandbox in
                    let abs = global.absolute(d)
                    do {
                        try FileManager.default.createDirectory(atPath: abs, withIntermediateDirectories: true)
                    } catch {
                        let exists = FileManager.default.fileExists(atPath: abs)
                        throw DemoError.cannotCreate(
                            reason: "\(abs): " + (exists ? "a file of that name exists" : "cannot create that folder"))
                    }
                    return DemoSandbox(dir: abs)
                } ?? DemoSandbox.makeTemporary()
            try sandbox.build()
            console.out("bkfix demo: sandbox control machine in \(sandbox.dir)\n")
            let common =
                [
                    "--root", sandbox.root, "--state", sandbox.state, "--install-dir", sandbox.installDir, "--lang",
                    console.lang.rawValue,
                ]
                + (global.noColor ? ["--no-color"] : [])
            func step(_ title: String, _ args: [String], allowFailure: Bool = false) throws {
                console.out("\n### \(title)\n$ bkfix \(args.joined(separator: " "))\n")
                let status = try runSelf(args + common, sandbox: sandbox)
                if status != 0 && !allowFailure {
                    throw DemoError.stepFailed(command: args.joined(separator: " "), status: status)
                }
            }
            try step("1. diagnose a failed setup_bkce7.sh log", ["diagnose", sandbox.log])
            try step("2. plan the fix it suggests (dry run: nothing changes)", ["plan", "hub-hosts"])
            try step("3. apply it (the demo confirms with --yes)", ["apply", "hub-hosts", "--yes"])
            try step("4. apply again: already in place", ["apply", "hub-hosts", "--yes"])
            try step("5. history", ["history"])
            let store = try RunStore.open(path: sandbox.state)
            let runID = try store.runs().first?.record.id ?? "?"
            try step("6. show the run", ["show", runID])
            try step("7. roll it back", ["rollback", runID, "--yes"])
            try step("8. history after the rollback", ["history"])
            try step("9. status", ["status"])
            // docker-mirror: the sandbox's daemon.json lists dead mirrors; a local stand-in registry is the good one.
            let registry = try StandInRegistry()
            defer { registry.stop() }
            let mirrors = ["-p", "mirrors=\(registry.url)"]
            try step(
                "10. docker-mirror: probe the mirrors (dry run: nothing changes)", ["plan", "docker-mirror"] + mirrors)
            try step(
                "11. apply it: daemon.json gets the working mirror, dockerd reloads, docker info is checked",
                ["apply", "docker-mirror", "--yes"] + mirrors)
            try step(
                "12. raise-quota for bk-elastic (dry run): the custom-values file and the helmfile commands",
                ["plan", "raise-quota", "-p", "release=bk-elastic"])
            try step("13. history", ["history"])
            console.out(
                "\nsandbox: \(sandbox.dir)\n  hosts file: \(sandbox.root)/etc/hosts\n  daemon.json: \(sandbox.root)/etc/docker/daemon.json\n"
                    + "  state repo: \(sandbox.state)  (try: git -C \(sandbox.state) log --stat)\n")
            return .ok
        }
    }

    /// Runs this same binary with the sandbox's stand-ins first on PATH, streaming its output.
    private func runSelf(_ args: [String], sandbox: DemoSandbox) throws -> Int32 {
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = sandbox.bin + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["BKFIX_STATE"] = sandbox.state
        let result = try ProcessRunner.run(
            [Home.executablePath()] + args, workdir: nil, environment: env, timeout: 120,
            output: { line in
                switch line {
                case .stdout(let s): FileHandle.standardOutput.write(Data((s + "\n").utf8))
                case .stderr(let s): FileHandle.standardError.write(Data((s + "\n").utf8))
                }
            })
        return result.exitCode
    }
}
