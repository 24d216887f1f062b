import Foundation

/// The built-in playbooks and cases: the files of the checkout's `playbooks/` and `cases/`, compiled into the binary
/// at build time (`scripts/embed.sh`, run by the EmbedDefinitions build plugin), so an installed bkfix needs no
/// data files.
public enum EmbeddedDefinitions {
    /// The built-in playbooks, as `builtin:playbooks/NAME.yaml`.
    public static let playbooks: [DefinitionFile] = decode(playbookFiles, folder: "playbooks")

    /// The built-in cases, as `builtin:cases/NAME.yaml`.
    public static let cases: [DefinitionFile] = decode(caseFiles, folder: "cases")

    private static func decode(_ files: [(name: String, base64: String)], folder: String) -> [DefinitionFile] {
        files.map { file in
            // The build wrote this base64 itself, so it always decodes; the files are UTF-8 YAML.
            let bytes = Data(base64Encoded: file.base64) ?? Data()
            return DefinitionFile(
                name: file.name, location: "builtin:\(folder)/\(file.name)", origin: .builtIn,
                embedded: bytes)
        }.sorted { $0.name < $1.name }
    }
}
