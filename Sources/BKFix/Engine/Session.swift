import Foundation

/// The global options every command shares (SPEC §3), already resolved to values.
public struct SessionOptions: Sendable {
    public var root: String
    public var stateDir: String?
    public var installDir: String?
    public var playbookDirs: [String]
    public var language: Language
    public var environment: [String: String]
    /// The nodes file (`--inventory`, else `$BKFIX_INVENTORY`).
    public var inventory: String?
    /// Other hosts' steps go on when one host fails (`--keep-going`).
    public var keepGoing: Bool
    /// How many nodes plan and apply at once (`--forks`, at least 1).
    public var forks: Int

    public init(
        root: String = "/", stateDir: String? = nil, installDir: String? = nil, playbookDirs: [String] = [],
        language: Language, environment: [String: String], inventory: String? = nil, keepGoing: Bool = false,
        forks: Int = 10
    ) {
        self.inventory = inventory
        self.forks = max(1, forks)
        self.keepGoing = keepGoing
        self.root = root
        self.stateDir = stateDir
        self.installDir = installDir
        self.playbookDirs = playbookDirs
        self.language = language
        self.environment = environment
    }
}

/// One invocation's world: the hosts, the install dir, the playbooks and the state repo location.
public struct Session: Sendable {
    public let options: SessionOptions
    public let hosts: HostDirectory
    public let installDir: String?
    public let library: PlaybookLibrary
    public let statePath: String

    public init(_ options: SessionOptions) {
        self.options = options
        let control = LocalTransport(root: options.root, host: "control", environment: options.environment)
        let statePath = options.stateDir ?? Home.stateDir(environment: options.environment)
        self.statePath = statePath
        self.hosts = Self.resolveHosts(
            options, control: control, sshRuntimeDir: RunStore.runtimeDir(ofRepoAt: statePath))
        self.installDir = Self.resolveInstallDir(options, control: control)
        self.library = PlaybookLibrary(given: options.playbookDirs, root: options.root)
    }

    /// `--install-dir`, else `$INSTALL_DIR`, else the first of `~/bkce7.2-install`, `~/bkce7.1-install`, `~/bkhelmfile`
    /// that exists on the control machine.
    static func resolveInstallDir(_ options: SessionOptions, control: any Transport) -> String? {
        if let d = options.installDir { return d }
        if let d = options.environment["INSTALL_DIR"], !d.isEmpty { return d }
        let home = options.environment["HOME"] ?? "/root"
        for name in ["bkce7.2-install", "bkce7.1-install", "bkhelmfile"] {
            let candidate = (home as NSString).appendingPathComponent(name)
            if case .directory = try? control.kind(of: candidate) { return candidate }
        }
        return nil
    }

    /// The control machine plus the inventory's nodes; a broken inventory is reported when a node is asked for.
    /// SSH control sockets go under the state repo's runtime folder (SSHControlDirectory).
    static func resolveHosts(_ options: SessionOptions, control: any Transport, sshRuntimeDir: String) -> HostDirectory
    {
        let file = options.inventory ?? options.environment["BKFIX_INVENTORY"].flatMap { $0.isEmpty ? nil : $0 }
        guard let file else {
            return HostDirectory(
                control: control, discovery: KubectlNodeDiscovery(control: control, environment: options.environment),
                sshRuntimeDir: sshRuntimeDir)
        }
        do {
            let inventory = try Inventory.load(file, environment: options.environment)
            return HostDirectory(
                control: control, inventory: inventory, environment: options.environment, sshRuntimeDir: sshRuntimeDir)
        } catch let error as InventoryError {
            return HostDirectory(control: control, nodesUnavailable: error)
        } catch {
            return HostDirectory(
                control: control, nodesUnavailable: .unreadable(file: file, reason: error.localizedDescription))
        }
    }

    public var planner: Planner {
        var planner = Planner(
            hosts: hosts, installDir: installDir, language: options.language, environment: options.environment)
        planner.keepGoing = options.keepGoing
        planner.forks = options.forks
        return planner
    }

    public func openStore() throws -> RunStore { try RunStore.open(path: statePath) }

    /// The state repo if there is one: read-only commands (history, show, status, collect) never create it.
    /// `checkingRepo: false` defers opening libgit2 until a query needs it (see `RunStore.open`).
    public func existingStore(checkingRepo: Bool = true) throws -> RunStore? {
        guard StateRepo.exists(at: statePath) else { return nil }
        return try RunStore.open(path: statePath, create: false, checkingRepo: checkingRepo)
    }

    public func applier(_ store: RunStore) -> Applier {
        var applier = Applier(
            store: store, hosts: hosts, installDir: installDir, language: options.language,
            environment: options.environment)
        applier.keepGoing = options.keepGoing
        applier.forks = options.forks
        return applier
    }

    /// The engine for one apply, rollback or recover: the only way to change anything.
    public func engine(store: RunStore, origin: RunOrigin, frontEnd: RunFrontEnd) -> RunEngine {
        RunEngine(session: self, store: store, origin: origin, frontEnd: frontEnd)
    }

    /// Plans a saved plan's playbook again with its parameters, as it would be planned now.
    public func replan(_ saved: Plan) throws -> Plan {
        try planner.plan(try library.load(id: saved.playbook), params: saved.params)
    }

    /// Loads a playbook and resolves its parameters from `-p key=value` arguments (and diagnosis-derived values).
    public func plan(playbook id: String, assignments: [String], derived: [String: String] = [:]) throws -> Plan {
        let playbook = try library.load(id: id)
        let params = try ParamValidator.resolve(
            playbook, given: try ParamValidator.parseAssignments(assignments), derived: derived)
        return try planner.plan(playbook, params: params)
    }
}
