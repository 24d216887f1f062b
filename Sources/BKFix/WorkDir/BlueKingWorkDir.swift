import Foundation

/// The BlueKing work dir (`INSTALL_DIR/blueking`, 7.0 and 7.2 alike): its helmfiles, releases and environment
/// values, read through a `Transport` so it works on host paths under `--root`.
///
/// Finding one release parses one helmfile: the helmfiles are searched as bytes for `name: RELEASE` first (as the
/// BlueKing doc greps for it), and the environment values are read only to resolve a templated namespace.
public struct BlueKingWorkDir: Sendable {
    /// A top-level helmfile that has `releases:`, with its bytes as read.
    struct Helmfile: Sendable {
        var name: String
        var data: Data
    }

    /// Host path of the work dir.
    public let path: String
    /// The helmfiles in name order, the order in which the first one declaring a release wins.
    let helmfiles: [Helmfile]
    private let transport: any Transport

    /// Namespace used when a release's namespace cannot be resolved.
    public static let defaultNamespace = "blueking"

    /// Finds the work dir for an install dir: `INSTALL_DIR/blueking`, or the dir itself when it holds helmfiles.
    public static func locate(installDir: String, transport: any Transport) throws -> BlueKingWorkDir {
        let nested = join(installDir, "blueking")
        if let workDir = try? load(nested, transport: transport) { return workDir }
        if let workDir = try? load(installDir, transport: transport) { return workDir }
        throw WorkDirError.notAWorkDir(nested)
    }

    /// Reads the top-level helmfiles (`*.yaml.gotmpl`, `*.yaml` with `releases:`), parsing none of them.
    public static func load(_ path: String, transport: any Transport) throws -> BlueKingWorkDir {
        var helmfiles: [Helmfile] = []
        let names = try transport.list(path).filter { $0.hasSuffix(".yaml.gotmpl") || $0.hasSuffix(".yaml") }.sorted()
        for name in names {
            guard let snapshot = try transport.read(join(path, name)),
                HelmfileReader.mayHoldReleases(snapshot.data)
            else { continue }
            helmfiles.append(Helmfile(name: name, data: snapshot.data))
        }
        guard !helmfiles.isEmpty else { throw WorkDirError.notAWorkDir(path) }
        return BlueKingWorkDir(path: path, helmfiles: helmfiles, transport: transport)
    }

    /// The release with that name (the first helmfile in name order wins when several declare it). Parses only the
    /// helmfiles whose bytes name it; a release no helmfile declares is an error listing the known ones.
    public func release(named name: String) throws -> HelmRelease {
        for helmfile in helmfiles(mentioning: name) {
            if let raw = HelmfileReader.release(named: name, in: helmfile.text) {
                return release(raw, helmfile: helmfile.name)
            }
        }
        throw WorkDirError.releaseNotFound(release: name, workDir: path, known: releases.map(\.name))
    }

    /// The helmfiles whose bytes hold `name: RELEASE`: the only ones `release(named:)` parses.
    func helmfiles(mentioning release: String) -> [Helmfile] {
        helmfiles.filter { HelmfileReader.mayDeclare(release, in: $0.data) }
    }

    /// Every release of every helmfile (parses them all).
    public var releases: [HelmRelease] {
        helmfiles.flatMap { helmfile in
            HelmfileReader.releases(in: helmfile.text).map { release($0, helmfile: helmfile.name) }
        }
    }

    private func release(_ raw: HelmfileReader.RawRelease, helmfile: String) -> HelmRelease {
        let files = raw.values.map(Self.normalize)
        let custom = files.last { $0.split(separator: "/").last?.contains("custom-values") == true }
        return HelmRelease(
            name: raw.name, helmfile: helmfile, namespace: namespace(raw.namespace) ?? Self.defaultNamespace,
            valuesFiles: files.filter { $0 != custom }, customValuesFile: custom, labels: raw.labels)
    }

    /// The host path of a work-dir-relative file.
    public func hostPath(_ relative: String) -> String {
        relative.hasPrefix("/") ? relative : Self.join(path, relative)
    }

    static func join(_ dir: String, _ name: String) -> String { (dir as NSString).appendingPathComponent(name) }

    /// `./environments/{{ .Environment.Name }}/x.yaml` → `environments/default/x.yaml`.
    static func normalize(_ file: String) -> String {
        var result = file.trimmingBlanks
        for pattern in ["{{ .Environment.Name }}", "{{.Environment.Name}}", "{{ .Environment.Name -}}"] {
            result = result.replacing(pattern, with: "default")
        }
        while result.hasPrefix("./") { result.removeFirst(2) }
        return result
    }

    /// A namespace that is literal, or a `{{ .Values.a.b ... }}` expression: its first reference that the
    /// environment values define.
    private func namespace(_ raw: String?) -> String? {
        guard let raw = raw?.trimmingBlanks, !raw.isEmpty else { return nil }
        return resolve(raw)
    }

    /// A value that is literal, or a `{{ .Values.a.b ... }}` expression resolved to its first reference that the
    /// environment values define (nil when none does).
    func resolve(_ raw: String) -> String? {
        guard raw.contains("{{") else { return raw }
        for reference in Self.valueReferences(in: raw) {
            if let value = environmentScalar(reference) { return value }
        }
        return nil
    }

    /// The `.Values.x.y` references of a template expression, in order, as key paths.
    static func valueReferences(in expression: String) -> [[String]] {
        expression.split(separator: ".Values.", omittingEmptySubsequences: false).dropFirst().map { rest in
            rest.prefix { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" }
                .split(separator: ".").map(String.init)
        }
    }

    /// A scalar of the environment values helmfile passes to every release (`custom.yaml` over `values.yaml`;
    /// missing or unreadable files are skipped). Read from the files' outline; parsed only when that cannot tell.
    func environmentScalar(_ keys: [String]) -> String? {
        for relative in ["environments/default/custom.yaml", "environments/default/values.yaml"] {
            guard let snapshot = try? transport.read(Self.join(path, relative)) else { continue }
            let text = String(decoding: snapshot.data, as: UTF8.self)
            let lines = YAMLLines(text)
            let mask = YAMLTemplateMask(lines)
            let lookup = (try? YAMLOutline(lines, mask: mask, file: relative))?.lookup(keys) ?? .needsParse
            switch lookup {
            case .scalar(let value): return value
            case .templated: return nil
            case .absent: continue
            case .needsParse:
                guard let document = try? YAMLValueTree.documents(of: mask.maskedText, file: relative).first else {
                    continue
                }
                if let value = document.scalar(at: keys), !YAMLTemplateMask.containsToken(value) { return value }
                if let found = document.value(at: keys), found != .null { return nil }
            }
        }
        return nil
    }
}

extension BlueKingWorkDir.Helmfile {
    var text: String { String(decoding: data, as: UTF8.self) }
}
