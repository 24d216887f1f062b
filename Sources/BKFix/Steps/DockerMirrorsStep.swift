import Foundation

/// Why the docker mirrors cannot be fixed; nothing is changed in either case.
public enum DockerMirrorError: LocalizedError, Equatable {
    /// dockerd refuses to start when `registry-mirrors` is both a flag and a daemon.json key.
    case flagConflict(unitFile: String, line: Int, text: String, daemonJSON: String)
    /// Every mirror probed was dead (or could not be probed); the probe table says why.
    case noMirrorAnswered(table: [String])

    public var errorDescription: String? {
        switch self {
        case .flagConflict(let unit, let line, let text, let daemonJSON):
            return """
                \(unit):\(line): dockerd is started with --registry-mirror (\(text.trimmingCharacters(in: .whitespaces))); \
                dockerd refuses to start when registry-mirrors is also set in \(daemonJSON). Remove the flag from the unit \
                (then systemctl daemon-reload) and run this fix again; nothing was changed
                """
        case .noMirrorAnswered(let table):
            return "no mirror answered on /v2/; nothing was changed. Pass working ones with -p mirrors=URL,URL\n"
                + table.joined(separator: "\n")
        }
    }
}

/// `docker-mirrors`: probe the mirrors in daemon.json and the candidates, set `registry-mirrors` to the ones that
/// answer (current ones first), and reload dockerd when the file changed or `docker info` shows other mirrors.
public enum DockerMirrorsStep: StepKind {
    public static let name = "docker-mirrors"
    public static let requiredKeys: Set<String> = []
    /// `file` (daemon.json), `candidates` (list), `timeout` (seconds, default 3), `reload` (default true), `service`.
    public static let optionalKeys: Set<String> = ["file", "candidates", "timeout", "reload", "service"]

    public static let defaultFile = "/etc/docker/daemon.json"

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let file = try args.optionalString("file") ?? defaultFile
        let candidates = try args.optionalStrings("candidates") ?? []
        let timeout = try args.double("timeout", default: 3)
        let reload = try args.bool("reload", default: true)
        let service = try args.optionalString("service") ?? "docker"

        let snapshot = try context.transport.read(file)
        let splice = try snapshot.map { try JSONSplice(file: file, data: $0.data) }
        let current = (splice?.currentValue(of: "registry-mirrors") as? [Any] ?? []).compactMap { $0 as? String }

        if let conflict = try flagConflict(service: service, in: context) {
            throw DockerMirrorError.flagConflict(
                unitFile: conflict.file, line: conflict.line, text: conflict.text, daemonJSON: file)
        }

        var seen = Set<String>()
        let toProbe = (current + candidates).filter { seen.insert(MirrorProbe.normalize($0)).inserted }
        let results = MirrorProbe.probe(
            toProbe, timeout: timeout, httpsFetcher: MirrorProbe.curlFetcher(context.transport))
        let table = MirrorProbe.table(results, language: context.language)
        let working = results.filter(\.isAlive).map(\.mirror)
        guard !working.isEmpty else { throw DockerMirrorError.noMirrorAnswered(table: table) }

        var notes = table
        let dropped = results.filter { !$0.isAlive && current.contains($0.mirror) }.map(\.mirror)
        if !dropped.isEmpty {
            notes.append(
                Localized(zh: "移除失效的镜像源: ", en: "removing dead mirrors: ").text(context.language)
                    + dropped.joined(separator: ", "))
        }
        var changes: [Change] = []
        if let change = try JSONSetStep.change(file: file, key: "registry-mirrors", value: working, in: context) {
            changes.append(.file(change))
        }
        if reload {
            let running = runningMirrors(in: context)
            let wanted = working.map(MirrorProbe.normalize)
            if !changes.isEmpty || running != wanted {
                changes.append(.command(ServiceReloadStep.reloadChange(service: service, in: context)))
            }
        }
        if changes.isEmpty {
            notes.append(
                Localized(zh: "registry-mirrors 已是可用的镜像源", en: "registry-mirrors already lists the working mirrors")
                    .text(context.language))
        }
        return StepPlan(changes: changes, notes: notes)
    }

    /// The first `--registry-mirror` flag in the service's unit files, if `systemctl cat` can show them.
    static func flagConflict(service: String, in context: PlanContext) throws -> DockerdFlagLocation? {
        let result = try? context.transport.run(
            CommandSpec(argv: ["systemctl", "cat", service], timeout: 10), output: nil)
        guard let result, result.succeeded else { return nil }
        return DockerdUnitFlags.registryMirrorFlags(inSystemctlCat: result.stdout).first
    }

    /// The mirrors the running dockerd uses, or nil when `docker info` cannot tell.
    static func runningMirrors(in context: PlanContext) -> [String]? {
        guard let result = try? context.transport.run(CommandSpec(argv: ["docker", "info"], timeout: 20), output: nil),
            result.succeeded
        else { return nil }
        return DockerInfoMirrors.parse(result.stdout)
    }
}

extension DockerMirrorError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .flagConflict: return .badInput
        case .noMirrorAnswered: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .flagConflict: return "dockerd-flag-conflict"
        case .noMirrorAnswered: return "no-mirror-answered"
        }
    }
}
