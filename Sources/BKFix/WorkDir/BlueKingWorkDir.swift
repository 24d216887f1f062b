import Foundation

/// The BlueKing work dir (`INSTALL_DIR/blueking`, 7.0 and 7.2 alike): its helmfiles, releases and environment
/// values, read through a `Transport` so it works on host paths under `--root`.
public struct BlueKingWorkDir: Sendable {
    /// Host path of the work dir.
    public let path: String
    public let releases: [HelmRelease]
    /// The merged environment values (`environments/default/values.yaml`, then `custom.yaml`).
    let environment: YAMLValueTree

    /// Namespace used when a release's namespace cannot be resolved.
    public static let defaultNamespace = "blueking"

    /// Finds the work dir for an install dir: `INSTALL_DIR/blueking`, or the dir itself when it holds helmfiles.
    public static func locate(installDir: String, transport: any Transport) throws -> BlueKingWorkDir {
        let nested = (installDir as NSString).appendingPathComponent("blueking")
        if let workDir = try? load(nested, transport: transport) { return workDir }
        if let workDir = try? load(installDir, transport: transport) { return workDir }
        throw WorkDirError.notAWorkDir(nested)
    }

    /// Reads every top-level helmfile of the work dir.
    public static func load(_ path: String, transport: any Transport) throws -> BlueKingWorkDir {
        let environment = try environmentValues(path, transport: transport)
        var releases: [HelmRelease] = []
        let names = try transport.list(path).filter { $0.hasSuffix(".yaml.gotmpl") || $0.hasSuffix(".yaml") }.sorted()
        for name in names {
            guard let snapshot = try transport.read(join(path, name)) else { continue }
            let text = String(decoding: snapshot.data, as: UTF8.self)
            guard text.contains("releases:") else { continue }
            for raw in HelmfileReader.releases(in: text) {
                let files = raw.values.map(normalize)
                let custom = files.last { ($0 as NSString).lastPathComponent.contains("custom-values") }
                releases.append(
                    HelmRelease(
                        name: raw.name, helmfile: name,
                        namespace: resolve(raw.namespace, in: environment) ?? defaultNamespace,
                        valuesFiles: files.filter { $0 != custom }, customValuesFile: custom, labels: raw.labels))
            }
        }
        guard !releases.isEmpty else { throw WorkDirError.notAWorkDir(path) }
        return BlueKingWorkDir(path: path, releases: releases, environment: environment)
    }

    /// The release with that name (the first helmfile in name order wins when several define it).
    public func release(named name: String) throws -> HelmRelease {
        guard let release = releases.first(where: { $0.name == name }) else {
            throw WorkDirError.releaseNotFound(release: name, workDir: path, known: releases.map(\.name))
        }
        return release
    }

    /// The host path of a work-dir-relative file.
    public func hostPath(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : Self.join(path, relative)
    }

    static func join(_ dir: String, _ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    /// `./environments/{{ .Environment.Name }}/x.yaml` → `environments/default/x.yaml`.
    static func normalize(_ file: String) -> String {
        var result = file.trimmingCharacters(in: .whitespaces)
        for pattern in ["{{ .Environment.Name }}", "{{.Environment.Name}}", "{{ .Environment.Name -}}"] {
            result = result.replacingOccurrences(of: pattern, with: "default")
        }
        while result.hasPrefix("./") { result.removeFirst(2) }
        return result
    }

    /// Resolves a value that is literal or a single `{{ .Values.a.b ... }}` reference.
    static func resolve(_ raw: String?, in environment: YAMLValueTree) -> String? {
        guard let raw = raw?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
        guard raw.contains("{{") else { return raw }
        guard let start = raw.range(of: ".Values.") else { return nil }
        let reference = raw[start.upperBound...].prefix {
            $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-"
        }
        return environment.scalar(at: reference.split(separator: ".").map(String.init))
    }

    /// The environment values helmfile passes to every release (missing files are fine).
    private static func environmentValues(_ path: String, transport: any Transport) throws -> YAMLValueTree {
        var merged = YAMLValueTree.mapping([])
        for relative in ["environments/default/values.yaml", "environments/default/custom.yaml"] {
            guard let snapshot = try transport.read(join(path, relative)) else { continue }
            let text = String(decoding: snapshot.data, as: UTF8.self)
            let masked = YAMLTemplateMask(YAMLLines(text)).maskedText
            guard let document = try? YAMLValueTree.documents(of: masked, file: relative).first else { continue }
            merged = merged.merging(document)
        }
        return merged
    }
}
