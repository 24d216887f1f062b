import Foundation

/// Where a playbook or case file was found.
public enum DefinitionOrigin: Sendable, Equatable {
    /// A folder given on the command line (`--playbooks DIR`, `--cases DIR`).
    case given(option: String)
    /// The site's own folder (`/etc/bkfix/playbooks`, `/etc/bkfix/cases`, under `--root`).
    case site
    /// Compiled into bkfix from the checkout's `playbooks/` and `cases/`.
    case builtIn

    /// `--playbooks`, `site` or `built-in`, as listings and JSON show it.
    public var name: String {
        switch self {
        case .given(let option): return option
        case .site: return "site"
        case .builtIn: return "built-in"
        }
    }
}

/// One playbook or case file: its name, where it is (a path, or `builtin:playbooks/NAME.yaml`) and, when it is
/// built in, its bytes.
public struct DefinitionFile: Sendable, Equatable {
    public let name: String
    public let location: String
    public let origin: DefinitionOrigin
    /// The bytes of a built-in file; nil for a file on disk (read from `location` when needed).
    public let embedded: Data?

    public init(name: String, location: String, origin: DefinitionOrigin, embedded: Data? = nil) {
        self.name = name
        self.location = location
        self.origin = origin
        self.embedded = embedded
    }

    /// The file name without `.yaml`: a playbook's id.
    public var stem: String { (name as NSString).deletingPathExtension }

    /// `builtin:playbooks/hub-hosts.yaml (built-in)`, `/etc/bkfix/playbooks/hub-hosts.yaml (site)`.
    public var described: String { origin == .builtIn ? location : "\(location) (\(origin.name))" }
}

/// The file that defines an id, and the files with the same id that it hides (later in the look-up order).
public struct DefinitionEntry: Sendable {
    public let id: String
    public let file: DefinitionFile
    public let hidden: [DefinitionFile]

    /// `overrides builtin:playbooks/hub-hosts.yaml`, or nil when nothing else defines the id.
    public var overrideNote: String? {
        hidden.isEmpty ? nil : "overrides " + hidden.map(\.described).joined(separator: ", ")
    }

    /// Whether a listing should say where it comes from: it is not simply the built-in one.
    public var isNotable: Bool { file.origin != .builtIn || !hidden.isEmpty }

    /// `from /etc/bkfix/playbooks/hub-hosts.yaml (site), overrides builtin:playbooks/hub-hosts.yaml`.
    public var provenance: String { "from \(file.described)" + (overrideNote.map { ", \($0)" } ?? "") }
}

/// Why a folder of playbooks or cases cannot be used.
public enum DefinitionFolderError: LocalizedError, Equatable {
    case missing(option: String, path: String)
    case notAFolder(option: String, path: String)
    case unreadable(option: String, path: String)
    /// The folder holds no file of that kind that loads (`problems` says why each one does not).
    case nothingValid(option: String, path: String, kind: String, problems: [String])

    public var errorDescription: String? {
        switch self {
        case .missing(let option, let path): return "\(option) \(path): no such folder"
        case .notAFolder(let option, let path): return "\(option) \(path): not a folder"
        case .unreadable(let option, let path): return "\(option) \(path): cannot read this folder (permission denied)"
        case .nothingValid(let option, let path, let kind, let problems):
            let why = problems.isEmpty ? " (no .yaml file in it)" : ":\n" + problems.joined(separator: "\n")
            return "\(option) \(path): holds no valid \(kind)\(why)"
        }
    }
}

/// One place definitions come from: a folder and its files, or the built-in files.
public struct DefinitionPlace: Sendable {
    public let origin: DefinitionOrigin
    public let folder: String
    public let files: [DefinitionFile]
}

extension DefinitionFolderError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .missing, .notAFolder, .unreadable, .nothingValid: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .missing, .notAFolder, .unreadable, .nothingValid: return "bad-definition-folder"
        }
    }
}

/// The places playbooks (or cases) are looked up, in order: the folders given on the command line, then the site's
/// folder under `/etc/bkfix`, then the copy built into bkfix. The first file of an id wins.
public struct DefinitionSearchPath: Sendable {
    /// The option that names extra folders: `--playbooks` or `--cases`.
    public let option: String
    public let given: [String]
    /// The site's folder as a real path (`ROOT/etc/bkfix/playbooks`); absent means none.
    public let site: String
    public let builtIn: [DefinitionFile]

    public init(option: String, given: [String], site: String, builtIn: [DefinitionFile]) {
        self.option = option
        self.given = given
        self.site = site
        self.builtIn = builtIn
    }

    /// The standard look-up of `kind` (`playbooks` or `cases`): the `--KIND` folders, `ROOT/etc/bkfix/KIND`, then the
    /// built-in files.
    public init(standard kind: String, given: [String], root: String, builtIn: [DefinitionFile]) {
        self.init(option: "--" + kind, given: given, site: Home.siteFolder(root: root, kind), builtIn: builtIn)
    }

    /// Every place in look-up order: each given folder (even an empty one), the site's folder when it exists, then
    /// the built-in files. A given folder that is missing or not a folder throws.
    public func places() throws -> [DefinitionPlace] {
        var out: [DefinitionPlace] = []
        for folder in given {
            let origin = DefinitionOrigin.given(option: option)
            out.append(
                DefinitionPlace(
                    origin: origin, folder: folder, files: try Self.files(in: folder, origin: origin, required: true)))
        }
        let site = try Self.files(in: self.site, origin: .site, required: false)
        if !site.isEmpty { out.append(DefinitionPlace(origin: .site, folder: self.site, files: site)) }
        out.append(DefinitionPlace(origin: .builtIn, folder: "builtin:", files: builtIn))
        return out
    }

    /// Every file in look-up order; within a folder, sorted by name.
    public func files() throws -> [DefinitionFile] { try places().flatMap(\.files) }

    /// The `.yaml`/`.yml` files of one folder, sorted by name.
    public static func files(in folder: String, origin: DefinitionOrigin, required: Bool) throws -> [DefinitionFile] {
        let label = origin == .site ? "the site's folder" : origin.name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            if required { throw DefinitionFolderError.missing(option: label, path: folder) }
            return []
        }
        guard isDirectory.boolValue else { throw DefinitionFolderError.notAFolder(option: label, path: folder) }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw DefinitionFolderError.unreadable(option: label, path: folder)
        }
        return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
            DefinitionFile(name: $0, location: (folder as NSString).appendingPathComponent($0), origin: origin)
        }
    }

    /// Groups files by id, keeping their look-up order: the first file of an id is the one used.
    public static func entries(_ files: [(id: String, file: DefinitionFile)]) -> [DefinitionEntry] {
        var order: [String] = []
        var byID: [String: [DefinitionFile]] = [:]
        for (id, file) in files {
            if byID[id] == nil { order.append(id) }
            byID[id, default: []].append(file)
        }
        return order.sorted().map { id in
            let all = byID[id] ?? []
            return DefinitionEntry(id: id, file: all[0], hidden: Array(all.dropFirst()))
        }
    }

    /// A definition file's text, or why it is not one (named with the file and the cause).
    public static func text(of file: DefinitionFile) -> Result<String, FileProblem> {
        let data: Data
        if let embedded = file.embedded {
            data = embedded
        } else {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file.location, isDirectory: &isDirectory) else {
                return .failure(FileProblem("no such file (a dangling symbolic link?)"))
            }
            if isDirectory.boolValue { return .failure(FileProblem("it is a directory")) }
            guard let read = FileManager.default.contents(atPath: file.location) else {
                return .failure(FileProblem("permission denied"))
            }
            data = read
        }
        guard let text = String(data: data, encoding: .utf8), !data.contains(0) else {
            return .failure(FileProblem("not UTF-8 text (binary?)"))
        }
        return .success(text)
    }

    /// Why a definition file cannot be read.
    public struct FileProblem: Error, Equatable {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
    }
}
