import Foundation
import Yams

/// One node of the inventory: how to reach it over SSH, plus test-friendly `root` and `path` settings.
public struct InventoryNode: Sendable, Equatable {
    public var name: String
    public var address: String
    public var user: String
    public var port: Int
    /// The private key (`-i`), absolute; nil lets ssh use its defaults.
    public var key: String?
    /// Every host path on the node is resolved under this directory (like `--root`); `/` in real use.
    public var root: String
    /// Directories put first on PATH for commands run on the node.
    public var path: [String]
    /// `UserKnownHostsFile`; nil keeps ssh's default.
    public var knownHosts: String?
    /// `StrictHostKeyChecking`: false accepts unknown host keys (tests, first contact).
    public var strictHostKeyChecking: Bool
    public var connectTimeout: Int
    /// Where ssh keeps its control sockets; nil means a per-user directory in the temp dir.
    public var controlDir: String?

    public init(
        name: String, address: String, user: String = "root", port: Int = 22, key: String? = nil, root: String = "/",
        path: [String] = [], knownHosts: String? = nil, strictHostKeyChecking: Bool = true, connectTimeout: Int = 10,
        controlDir: String? = nil
    ) {
        self.name = name
        self.address = address
        self.user = user
        self.port = port
        self.key = key
        self.root = root
        self.path = path
        self.knownHosts = knownHosts
        self.strictHostKeyChecking = strictHostKeyChecking
        self.connectTimeout = connectTimeout
        self.controlDir = controlDir
    }
}

/// The nodes file given by `--inventory FILE` or `$BKFIX_INVENTORY`:
/// `nodes: [{name, address, user, port, key, known_hosts, strict, connect_timeout, control_dir, root, path}]`.
public struct Inventory: Sendable, Equatable {
    public var file: String
    public var nodes: [InventoryNode]

    static let nodeKeys: Set<String> = [
        "name", "address", "user", "port", "key", "known_hosts", "strict", "connect_timeout", "control_dir", "root",
        "path",
    ]

    /// Reads and validates the file; relative paths in it are relative to its directory, `~` is `$HOME`.
    public static func load(_ file: String, environment: [String: String]) throws -> Inventory {
        guard let data = FileManager.default.contents(atPath: file) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory)
            let reason = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"
            throw InventoryError.unreadable(file: file, reason: reason)
        }
        return try parse(String(decoding: data, as: UTF8.self), file: file, environment: environment)
    }

    /// Parses inventory text; `file` is used for messages and to resolve relative paths.
    public static func parse(_ text: String, file: String, environment: [String: String]) throws -> Inventory {
        func invalid(_ node: Node?, _ message: String) -> InventoryError {
            .invalid(file: file, line: node?.mark?.line ?? 1, message: message)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            let issue = PlaybookLoader.yamlIssue(error, file: file)
            throw InventoryError.invalid(file: file, line: issue.line, message: issue.message)
        }
        guard let top = root?.mapping else { throw invalid(root, "an inventory is a mapping with a 'nodes:' list") }
        for (key, _) in top where key.string != "nodes" {
            throw invalid(key, "unknown key '\(key.string ?? "?")' (only 'nodes:' is known)")
        }
        guard let list = top["nodes"] else { throw invalid(root, "missing 'nodes:' list") }
        guard let entries = list.sequence else { throw invalid(list, "'nodes:' must be a list of nodes") }
        let base = (file as NSString).deletingLastPathComponent
        var nodes: [InventoryNode] = []
        for entry in entries {
            guard let map = entry.mapping else { throw invalid(entry, "a node is a mapping {name, address, ...}") }
            var fields: [String: Node] = [:]
            for (key, value) in map {
                guard let k = key.string, nodeKeys.contains(k) else {
                    throw invalid(
                        key,
                        "unknown node key '\(key.string ?? "?")' (known: \(nodeKeys.sorted().joined(separator: ", ")))")
                }
                fields[k] = value
            }
            func scalar(_ key: String) throws -> String? {
                guard let value = fields[key] else { return nil }
                guard let s = value.scalar?.string, !s.isEmpty else {
                    throw invalid(value, "'\(key)' must be a non-empty scalar")
                }
                return s
            }
            func filePath(_ key: String) throws -> String? {
                guard let raw = try scalar(key) else { return nil }
                return absolutePath(raw, base: base, environment: environment)
            }
            guard let name = try scalar("name") else { throw invalid(entry, "a node needs a 'name'") }
            guard ParamValidator.isHostName(name), !["control", "localhost", "nodes"].contains(name) else {
                throw invalid(
                    fields["name"],
                    "'\(name)' cannot be a node name (letters, digits, '-', '.', '_'; not control/nodes)")
            }
            guard !nodes.contains(where: { $0.name == name }) else {
                throw invalid(fields["name"], "node '\(name)' is listed twice")
            }
            guard let address = try scalar("address") else { throw invalid(entry, "node '\(name)' needs an 'address'") }
            var node = InventoryNode(name: name, address: address)
            if let user = try scalar("user") { node.user = user }
            if let port = try scalar("port") {
                guard let p = Int(port), (1...65535).contains(p) else {
                    throw invalid(
                        fields["port"], "node '\(name)': port must be a number from 1 to 65535, not '\(port)'")
                }
                node.port = p
            }
            if let timeout = try scalar("connect_timeout") {
                guard let t = Int(timeout), t > 0 else {
                    throw invalid(
                        fields["connect_timeout"],
                        "node '\(name)': connect_timeout must be a positive number of seconds")
                }
                node.connectTimeout = t
            }
            if let strict = try scalar("strict") {
                switch strict.lowercased() {
                case "true", "yes": node.strictHostKeyChecking = true
                case "false", "no": node.strictHostKeyChecking = false
                default: throw invalid(fields["strict"], "node '\(name)': strict must be true or false")
                }
            }
            node.key = try filePath("key")
            node.knownHosts = try filePath("known_hosts")
            node.controlDir = try filePath("control_dir")
            if let r = try filePath("root") { node.root = r }
            if let value = fields["path"] {
                if let s = value.scalar?.string {
                    node.path = s.split(separator: ":").map(String.init)
                } else if let seq = value.sequence, seq.allSatisfy({ $0.scalar != nil }) {
                    node.path = seq.compactMap { $0.string }
                } else {
                    throw invalid(value, "node '\(name)': path must be a directory or a list of directories")
                }
            }
            nodes.append(node)
        }
        return Inventory(file: file, nodes: nodes)
    }

    /// `~/x` → `$HOME/x`; a relative path → relative to the inventory's directory.
    static func absolutePath(_ raw: String, base: String, environment: [String: String]) -> String {
        if raw == "~" || raw.hasPrefix("~/") {
            return (environment["HOME"] ?? "/root") + raw.dropFirst()
        }
        if raw.hasPrefix("/") { return raw }
        return ((base.isEmpty ? FileManager.default.currentDirectoryPath : base) as NSString).appendingPathComponent(
            raw)
    }
}
