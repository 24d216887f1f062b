import Foundation

/// Where an override of a release's values goes, for the steps that edit it (`raise-quota`, `persistence-size`): the
/// work dir, the release as its helmfile defines it, and its custom-values file.
public struct ReleaseOverride: Sendable {
    public var workDir: BlueKingWorkDir
    public var release: HelmRelease
    /// Relative to the work dir.
    public var customFile: String

    /// The host path of the custom-values file.
    public var hostPath: String { workDir.hostPath(customFile) }

    /// Refuses, naming the step, without an install dir, and a release whose helmfile names no custom-values file.
    public static func locate(_ name: String, step: String, in context: PlanContext) throws -> ReleaseOverride {
        guard let installDir = context.installDir else {
            throw StepError.cannotPlan(step: step, reason: "the BlueKing install dir is unknown; pass --install-dir")
        }
        let workDir = try BlueKingWorkDir.locate(installDir: installDir, transport: context.control)
        let release = try workDir.release(named: name)
        guard let customFile = release.customValuesFile else {
            throw WorkDirError.noCustomValuesFile(release: release.name, helmfile: release.helmfile)
        }
        return ReleaseOverride(workDir: workDir, release: release, customFile: customFile)
    }

    /// The custom-values file with `assignments` spliced in byte-exactly, or nil when it already holds them. A file
    /// that does not exist yet is created with mode 0644 and the owner of the release's values files.
    public func change(_ assignments: [YAMLSplice.Assignment], notes: [String], in context: PlanContext) throws
        -> FileChange?
    {
        let snapshot = try context.control.read(hostPath)
        let before = try snapshot.map { try UTF8Text.decode($0.data, file: hostPath) }
        let after = try YAMLSplice.set(assignments, in: before ?? "", file: hostPath)
        if before == after { return nil }
        let owner = try release.valuesFiles.lazy.compactMap { try context.control.read(workDir.hostPath($0))?.meta }
            .first
        return FileChange(
            host: context.control.host, path: hostPath, before: snapshot?.data, after: Data(after.utf8),
            beforeMeta: snapshot?.meta,
            afterMeta: snapshot?.meta ?? FileMeta(mode: 0o644, uid: owner?.uid ?? 0, gid: owner?.gid ?? 0),
            notes: notes)
    }
}
