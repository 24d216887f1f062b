import Foundation

/// A case as `bkfix cases` lists it: its definition and the file it comes from (and the files it hides).
public struct ListedCase: Sendable {
    public let definition: CaseDefinition
    public let entry: DefinitionEntry
}

/// Where the case catalogue comes from: the `--cases` folder, then the site's `/etc/bkfix/cases`, then the cases
/// built into bkfix. A case id defined in several places is taken from the first; the others are hidden.
public struct CaseLibrary: Sendable {
    public let searchPath: DefinitionSearchPath

    public init(searchPath: DefinitionSearchPath) { self.searchPath = searchPath }

    /// The standard look-up: `given` folders, then `ROOT/etc/bkfix/cases`, then the built-in cases.
    public init(given: [String], root: String, builtIn: [DefinitionFile] = EmbeddedDefinitions.cases) {
        self.init(searchPath: DefinitionSearchPath(standard: "cases", given: given, root: root, builtIn: builtIn))
    }

    /// Every case that loads, each with where it comes from, and the problems of the files that do not. A given
    /// folder that is missing or holds no valid case throws.
    public func list() throws -> (cases: [ListedCase], problems: [CatalogError]) {
        var loaded: [(id: String, file: DefinitionFile, definition: CaseDefinition)] = []
        var problems: [CatalogError] = []
        // One place at a time: an id twice in one folder is a mistake, an id in two places is an override.
        for place in try searchPath.places() {
            let (cases, errors) = CaseCatalog.parse(files: place.files)
            if case .given = place.origin, cases.isEmpty {
                throw DefinitionFolderError.nothingValid(
                    option: searchPath.option, path: place.folder, kind: "case",
                    problems: errors.compactMap(\.errorDescription))
            }
            problems += errors
            for definition in cases {
                guard let file = place.files.first(where: { $0.location == definition.source }) else { continue }
                loaded.append((definition.id, file, definition))
            }
        }
        let entries = DefinitionSearchPath.entries(loaded.map { ($0.id, $0.file) })
        let listed = entries.compactMap { entry in
            loaded.first { $0.file == entry.file && $0.id == entry.id }.map {
                ListedCase(definition: $0.definition, entry: entry)
            }
        }
        return (listed, problems)
    }

    /// The catalogue diagnosis uses; a problem in any file stops it (all of them reported together).
    public func catalog() throws -> CaseCatalog {
        let (listed, problems) = try list()
        try CatalogError.throwing(problems)
        return CaseCatalog(cases: listed.map(\.definition))
    }

}
