import Foundation

/// Why helm cannot be upgraded from what is on the machine.
public enum HelmUpgradeError: LocalizedError, Equatable {
    /// helm is older than the minimum and nothing newer ships in the install dir: say what to download.
    case noNewerHelm(current: String, shipped: String?, source: String, minimum: String)
    case installDirUnknown

    public var errorDescription: String? {
        switch self {
        case .noNewerHelm(let current, let shipped, let source, let minimum):
            let have = shipped.map { "\(source) is \($0)" } ?? "\(source) does not exist"
            return """
                helm \(current) is older than \(minimum) and \(have), so there is nothing newer to install. \
                Download helm \(minimum) or later for linux-amd64 (https://github.com/helm/helm/releases, file \
                helm-v\(minimum.hasPrefix("v") ? String(minimum.dropFirst()) : minimum)-linux-amd64.tar.gz, or the \
                BlueKing offline package), extract linux-amd64/helm to \(source), and run this fix again
                """
        case .installDirUnknown:
            return "the BlueKing install dir is unknown: pass --install-dir or set INSTALL_DIR, or give source="
        }
    }
}

/// `helm-upgrade`: when `helm version --short` is below the minimum (3.12) and the helm shipped in
/// `$INSTALL_DIR/bin` is newer, install it over `/usr/local/bin/helm` (a `file-install`); otherwise explain.
public enum HelmUpgradeStep: StepKind {
    public static let name = "helm-upgrade"
    public static let requiredKeys: Set<String> = []
    /// `min` (default 3.12.0), `source` (default `$INSTALL_DIR/bin/helm`), `dest` (default `/usr/local/bin/helm`).
    public static let optionalKeys: Set<String> = ["min", "source", "dest"]

    public static let defaultMinimum = "3.12.0"

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let minimum = try HelmVersion(parsing: try args.optionalString("min") ?? defaultMinimum)
        let dest = try args.optionalString("dest") ?? "/usr/local/bin/helm"
        guard let source = try args.optionalString("source") ?? context.installDir.map({ "\($0)/bin/helm" }) else {
            throw HelmUpgradeError.installDirUnknown
        }
        let current = try version(of: ["helm", "version", "--short"], in: context)
        if let current, current >= minimum {
            return StepPlan(notes: [
                Localized(zh: "helm \(current) 已不低于 \(minimum)", en: "helm \(current) is already at least \(minimum)")
                    .text(context.language)
            ])
        }
        let shipped =
            try context.transport.read(source) == nil
            ? nil : try version(of: [source, "version", "--short"], in: context)
        let currentText = current?.description ?? "(not installed)"
        guard let shipped, current.map({ shipped > $0 }) ?? true else {
            throw HelmUpgradeError.noNewerHelm(
                current: currentText, shipped: shipped?.description, source: source, minimum: minimum.description)
        }
        var notes = [
            Localized(
                zh: "helm \(currentText) 低于 \(minimum)，安装 \(source)（\(shipped)）",
                en: "helm \(currentText) is older than \(minimum); installing \(source) (\(shipped))"
            ).text(context.language)
        ]
        if shipped < minimum {
            notes.append(
                Localized(
                    zh: "注意：\(source) 的 \(shipped) 仍低于 \(minimum)，请另行下载更新版本",
                    en: "note: \(shipped) from \(source) is newer but still below \(minimum); download a newer helm too"
                ).text(context.language))
        }
        guard let change = try FileInstallStep.change(source: source, dest: dest, mode: nil, in: context) else {
            // dest already is the shipped helm, yet `helm` still reports the old version: another helm comes first.
            notes.append(
                Localized(
                    zh: "\(dest) 已是 \(source)，但 PATH 中的 helm 仍是 \(currentText)：请用 command -v helm 检查是哪一个",
                    en: "\(dest) already is \(source), yet helm on PATH is still \(currentText): check command -v helm"
                ).text(context.language))
            return StepPlan(notes: notes)
        }
        return StepPlan(changes: [.file(change)], notes: notes)
    }

    /// The version printed by `argv` (nil when the program is missing); garbage output is an error.
    static func version(of argv: [String], in context: PlanContext) throws -> HelmVersion? {
        let result: CommandResult
        do {
            result = try context.transport.run(CommandSpec(argv: argv, timeout: 30), output: nil)
        } catch {
            return nil
        }
        if result.exitCode == 127 || (!result.succeeded && result.stdout.isEmpty) { return nil }
        return try HelmVersion(parsing: result.stdout)
    }
}

extension HelmUpgradeError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .noNewerHelm: return .failure
        case .installDirUnknown: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .noNewerHelm: return "no-newer-helm"
        case .installDirUnknown: return "bad-parameter"
        }
    }
}
