import Foundation

/// A `persistence.size` key of a release's values (`persistence.size`, `master.persistence.size` ...) and the size it
/// has once templates are resolved from the environment values (`{{ .Values.mysql.size }}` → `50Gi`).
public struct PersistenceSize: Sendable, Equatable {
    public var path: [String]
    /// The value as written in the last values file that sets it.
    public var raw: String
    /// The size, when it is a literal or a template the environment values resolve.
    public var size: String?
    /// The values file it comes from, relative to the work dir.
    public var file: String
}

extension BlueKingWorkDir {
    /// Where localpv keeps its volumes on every node: `localpv.hostDir` of the environment values.
    public var localPVHostDir: String? { environmentScalar(["localpv", "hostDir"]) }

    /// The release's `persistence.size` keys (at the root or one level down), later values files overriding earlier
    /// ones, the custom-values file last.
    public func persistenceSizes(of release: HelmRelease, transport: any Transport) throws -> [PersistenceSize] {
        var found: [PersistenceSize] = []
        for relative in release.valuesFiles + [release.customValuesFile].compactMap({ $0 }) {
            guard let snapshot = try transport.read(hostPath(relative)) else { continue }
            let mask = YAMLTemplateMask(YAMLLines(String(decoding: snapshot.data, as: UTF8.self)))
            guard let document = try YAMLValueTree.documents(of: mask.maskedText, file: relative).first else {
                continue
            }
            for path in [["persistence", "size"]] + document.keys.map({ [$0, "persistence", "size"] }) {
                guard let masked = document.scalar(at: path) else { continue }
                let raw = mask.unmask(masked)
                let size = YAMLTemplateMask.containsToken(masked) ? resolve(raw) : raw
                found.removeAll { $0.path == path }
                found.append(PersistenceSize(path: path, raw: raw, size: size, file: relative))
            }
        }
        return found
    }
}
