import Foundation

/// Verify `docker-mirrors`: `docker info` lists every mirror in daemon.json's `registry-mirrors` (or `mirrors`).
public enum DockerMirrorsCheck: VerifyKind {
    public static let name = "docker-mirrors"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["file", "mirrors"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let file = try args.optionalString("file") ?? DockerMirrorsStep.defaultFile
        var expected = try args.optionalStrings("mirrors") ?? []
        if expected.isEmpty, let snapshot = try context.transport.read(file) {
            let splice = try JSONSplice(file: file, data: snapshot.data)
            expected = (splice.currentValue(of: "registry-mirrors") as? [Any] ?? []).compactMap { $0 as? String }
        }
        let wanted = expected.map(MirrorProbe.normalize)
        guard !wanted.isEmpty else {
            return VerifyResult(
                check: name, host: context.host, ok: false, detail: "no registry-mirrors configured in \(file)")
        }
        let result = try context.transport.run(CommandSpec(argv: ["docker", "info"], timeout: 20), output: nil)
        guard result.succeeded else {
            return VerifyResult(
                check: name, host: context.host, ok: false,
                detail: "docker info failed (exit \(result.exitCode)): "
                    + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let running = DockerInfoMirrors.parse(result.stdout)
        let missing = wanted.filter { !running.contains($0) }
        return VerifyResult(
            check: name, host: context.host, ok: missing.isEmpty,
            detail: missing.isEmpty
                ? "docker info lists \(wanted.joined(separator: ", "))"
                : "docker info lacks \(missing.joined(separator: ", ")) (it lists: \(running.isEmpty ? "none" : running.joined(separator: ", ")))"
        )
    }
}
