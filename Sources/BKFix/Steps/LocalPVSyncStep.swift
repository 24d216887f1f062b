import Foundation

/// `localpv-sync`: when the cluster has no default StorageClass, run `helmfile -f 00-localpv.yaml.gotmpl sync` in the
/// work dir (BlueKing's local PV provisioner, which creates the default class `local-storage`); nothing otherwise.
/// Its undo is `helmfile destroy`, irreversible, with a warning about the PersistentVolumes it would orphan.
public enum LocalPVSyncStep: StepKind {
    public static let name = "localpv-sync"
    public static let requiredKeys: Set<String> = []
    /// `file` (relative to the work dir, default `00-localpv.yaml.gotmpl`), `release` (default `localpv`).
    public static let optionalKeys: Set<String> = ["file", "release"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let file = try args.optionalString("file") ?? "00-localpv.yaml.gotmpl"
        let release = try args.optionalString("release") ?? "localpv"
        let lang = context.language
        let classes = try storageClasses(in: context)
        if let existing = classes.defaultClass {
            return StepPlan(notes: [
                Localized(
                    zh: "已有默认 StorageClass \(existing.name)（\(existing.provisioner)），无需安装 localpv",
                    en: "default StorageClass \(existing.name) (\(existing.provisioner)) exists; localpv is not needed"
                ).text(lang)
            ])
        }
        guard let workDir = context.workDir else {
            throw StepError.cannotPlan(step: name, reason: "the BlueKing install dir is unknown; pass --install-dir")
        }
        let helmfilePath = (workDir as NSString).appendingPathComponent(file)
        guard try context.control.read(helmfilePath) != nil else {
            throw StepError.cannotPlan(step: name, reason: "\(helmfilePath) does not exist")
        }
        var notes = [
            classes.entries.isEmpty
                ? Localized(zh: "集群没有任何 StorageClass", en: "the cluster has no StorageClass").text(lang)
                : Localized(zh: "集群没有默认 StorageClass: ", en: "no StorageClass is the default: ").text(lang)
                    + classes.entries.map(\.name).joined(separator: ", ")
        ]
        let pvs = (try? context.query(StorageClasses.pvCommand)).flatMap {
            $0.succeeded ? try? StorageClasses.persistentVolumeNames(json: $0.stdout) : nil
        }
        let warning: Localized
        if let pvs, !pvs.isEmpty {
            warning = Localized(
                zh:
                    "回滚将 destroy \(release)：已有 \(pvs.count) 个 PV（\(pvs.prefix(5).joined(separator: ", "))），其上的数据可能无法再被使用",
                en:
                    "rollback destroys \(release): \(pvs.count) PersistentVolumes exist (\(pvs.prefix(5).joined(separator: ", "))) and their data may become unusable"
            )
            notes.append(warning.text(lang))
        } else {
            warning = Localized(
                zh: "回滚将 destroy \(release)，届时由它创建的 PV 上的数据将无法再被使用",
                en: "rollback destroys \(release); data on PersistentVolumes it provisioned becomes unusable")
        }
        let destroy = CommandChange(
            host: context.control.host, argv: ["helmfile", "-f", file, "destroy"], workdir: workDir, timeout: 1800,
            risk: .irreversible, confirmWord: release, summary: warning.text(lang))
        let sync = CommandChange(
            host: context.control.host, argv: ["helmfile", "-f", file, "sync"], workdir: workDir, timeout: 1800,
            risk: .reversible, undo: [destroy],
            summary: Localized(
                zh: "安装 \(release)，提供默认 StorageClass", en: "install \(release), which provides a default StorageClass"
            ).text(lang))
        return StepPlan(changes: [.command(sync)], notes: notes)
    }

    /// The cluster's StorageClasses; a failing kubectl is an error naming the command and its stderr.
    static func storageClasses(in context: PlanContext) throws -> StorageClasses {
        let result = try context.query(StorageClasses.command)
        guard result.succeeded else {
            throw StepError.cannotPlan(
                step: name,
                reason: "`\(StorageClasses.command.joined(separator: " "))` failed (exit \(result.exitCode)): "
                    + result.stderr.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return try StorageClasses(json: result.stdout)
    }
}
