import Foundation

extension BlueKingWorkDir {
    /// The values of a release merged in helmfile order (custom-values last), templates masked; missing files skip.
    public func mergedValues(of release: HelmRelease, transport: any Transport) throws -> ReleaseValues {
        var merged = YAMLValueTree.mapping([])
        var read: [String] = []
        for relative in release.valuesFiles + [release.customValuesFile].compactMap({ $0 }) {
            guard let snapshot = try transport.read(hostPath(relative)) else { continue }
            let masked = YAMLTemplateMask(YAMLLines(String(decoding: snapshot.data, as: UTF8.self))).maskedText
            guard let document = try YAMLValueTree.documents(of: masked, file: relative).first else { continue }
            merged = merged.merging(document)
            read.append(relative)
        }
        return ReleaseValues(tree: merged, files: read)
    }
}

/// Merged values of a release and the files they came from.
public struct ReleaseValues: Sendable {
    let tree: YAMLValueTree
    public let files: [String]

    /// Components with limits in these values.
    public var limits: [ComponentLimits] { ComponentLimits.find(in: tree) }
}
