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
            func title(en: String, zh: String) -> String { console.lang == .zh ? zh : en }
            func step(_ title: String, _ args: [String], allowFailure: Bool = false) throws {
                console.out("\n### \(title)\n$ bkfix \(args.joined(separator: " "))\n")
                let status = try runSelf(args + common, sandbox: sandbox)
                if status != 0 && !allowFailure {
                    throw DemoError.stepFailed(command: args.joined(separator: " "), status: status)
                }
            }
            try step(
                title(en: "1. diagnose a failed setup_bkce7.sh log", zh: "1. 诊断一份失败的 setup_bkce7.sh 日志"),
                ["diagnose", sandbox.log])
            try step(
                title(en: "2. plan the fix it suggests (dry run: nothing changes)", zh: "2. 为建议的修复生成计划（演练：不做任何更改）"),
                ["plan", "hub-hosts"])
            try step(
                title(en: "3. apply it (the demo confirms with --yes)", zh: "3. 执行（演示用 --yes 确认）"),
                ["apply", "hub-hosts", "--yes"])
            try step(
                title(en: "4. apply again: already in place", zh: "4. 再执行一次：已经生效"), ["apply", "hub-hosts", "--yes"])
            try step(title(en: "5. history", zh: "5. 历史记录"), ["history"])
            let store = try RunStore.open(path: sandbox.state)
            let runID = try store.summaries(limit: 1).first?.id ?? "?"
            try step(title(en: "6. show the run", zh: "6. 查看这次运行"), ["show", runID])
            try step(title(en: "7. roll it back", zh: "7. 回滚"), ["rollback", runID, "--yes"])
            try step(title(en: "8. history after the rollback", zh: "8. 回滚后的历史记录"), ["history"])
            try step(title(en: "9. status", zh: "9. 状态"), ["status"])
            // docker-mirror: the sandbox's daemon.json lists dead mirrors; a local stand-in registry is the good one.
            let registry = try StandInRegistry()
            defer { registry.stop() }
            let mirrors = ["-p", "mirrors=\(registry.url)"]
            try step(
                title(
                    en: "10. docker-mirror: probe the mirrors (dry run: nothing changes)",
                    zh: "10. docker-mirror：探测镜像源（演练：不做任何更改）"), ["plan", "docker-mirror"] + mirrors)
            try step(
                title(
                    en: "11. apply it: daemon.json gets the working mirror, dockerd reloads, docker info is checked",
                    zh: "11. 执行：daemon.json 写入可用镜像源，重载 dockerd，并用 docker info 验证"),
                ["apply", "docker-mirror", "--yes"] + mirrors)
            try step(
                title(
                    en: "12. raise-quota for bk-elastic (dry run): the custom-values file and the helmfile commands",
                    zh: "12. 为 bk-elastic 调高资源配额（演练）：custom-values 文件与 helmfile 命令"),
                ["plan", "raise-quota", "-p", "release=bk-elastic"])
            try step(title(en: "13. history", zh: "13. 历史记录"), ["history"])
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
