import ArgumentParser
import BKFix
import Foundation

/// The options every subcommand accepts, before or after its own arguments (SPEC §3).
struct GlobalOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("Resolve every host path (/etc/hosts, the install dir ...) under DIR.", valueName: "dir"),
        completion: .directory)
    var root: String = "/"

    @Option(
        help: ArgumentHelp(
            "The state repo (default $BKFIX_STATE, else state/ of the checkout bkfix was built in, else "
                + "/var/lib/bkfix/state).", valueName: "dir"), completion: .directory)
    var state: String?

    @Option(
        name: .customLong("install-dir"),
        help: ArgumentHelp("BlueKing install dir; the work dir is DIR/blueking.", valueName: "dir"),
        completion: .directory)
    var installDir: String?

    @Option(
        name: .customLong("playbooks"),
        help: ArgumentHelp(
            "Extra playbook folder, searched before /etc/bkfix/playbooks and the built-in playbooks (repeatable).",
            valueName: "dir"),
        completion: .directory)
    var playbookDirs: [String] = []

    @Option(
        help: ArgumentHelp(
            "Nodes file (YAML: nodes: [{name, address, user, port, key}]); default $BKFIX_INVENTORY.",
            valueName: "file"),
        completion: .file(extensions: ["yaml", "yml"]))
    var inventory: String?

    @Flag(
        name: .customLong("keep-going"),
        help: "When a host fails (e.g. cannot be reached), still run the other hosts' steps.")
    var keepGoing = false

    @Option(help: ArgumentHelp("How many nodes to plan and apply at once (at least 1).", valueName: "n"))
    var forks: Int = 10

    @Option(help: ArgumentHelp("Message language: zh or en (default from LC_ALL/LANG).", valueName: "lang"))
    var lang: Language?

    @Flag(help: "Print one JSON document on stdout instead of text.")
    var json = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output.")
    var noColor = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// A mistyped `--root` must not look like a machine without any files (every fix would "create" them there).
    func validate() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute(root), isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw ValidationError("--root \(root): no such directory")
        }
    }

    var language: Language { lang ?? Language.fromEnvironment(environment) }

    /// Colour only on a TTY, never with --no-color, NO_COLOR or --json.
    var color: Bool {
        !noColor && !json && environment["NO_COLOR"] == nil && isatty(STDOUT_FILENO) == 1
    }

    func session() -> Session {
        Session(
            SessionOptions(
                root: absolute(root), stateDir: state.map(absolute), installDir: installDir,
                playbookDirs: playbookDirs.map(absolute), language: language, environment: environment,
                inventory: inventory.map(absolute), keepGoing: keepGoing,
                forks: forks))
    }

    /// `--forks` below 1 is bad input (exit 2), named with its value.
    func checkForks() throws {
        guard forks >= 1 else { throw EngineError.badForks(given: forks) }
    }

    /// A `--playbooks` folder that is missing or holds no valid playbook stops every command (exit 2).
    func checkPlaybookFolders() throws {
        guard !playbookDirs.isEmpty else { return }
        try PlaybookLibrary(given: playbookDirs.map(absolute), root: absolute(root)).checkGivenFolders()
    }

    func absolute(_ p: String) -> String {
        p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
    }
}

extension Language: ExpressibleByArgument {}
