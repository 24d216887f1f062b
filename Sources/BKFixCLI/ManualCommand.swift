import ArgumentParser
import BKFix
import Foundation

/// `bkfix manual`: prints the bkfix(1) manual page, generated from the command definitions themselves (so it lists
/// exactly the commands and options this binary has), plus exit status, files, environment and examples.
struct ManualCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manual",
        abstract: "Print the bkfix(1) manual page (roff): man -l <(bkfix manual), or install it as bkfix.1.")

    func run() throws {
        FileHandle.standardOutput.write(Data(try ManualPage.render().utf8))
    }
}

/// The bkfix(1) page in man(7) macros, from ArgumentParser's description of the command tree.
enum ManualPage {
    /// What ArgumentParser says about one command (the fields of its tool-info document that the page uses).
    struct Command: Decodable {
        var commandName: String
        var abstract: String?
        var discussion: String?
        var shouldDisplay: Bool?
        var subcommands: [Command]?
        var arguments: [Argument]?
    }

    /// One argument, option or flag.
    struct Argument: Decodable {
        struct Name: Decodable {
            var kind: String
            var name: String
        }
        var kind: String
        var names: [Name]?
        var valueName: String?
        var abstract: String?
        var defaultValue: String?
        var isOptional: Bool
        var isRepeating: Bool
        var shouldDisplay: Bool
    }

    private struct Document: Decodable { var command: Command }

    static func render() throws -> String {
        let root = try JSONDecoder().decode(Document.self, from: Data(BKFixCommand._dumpHelp().utf8)).command
        let global = try JSONDecoder().decode(Document.self, from: Data(GlobalOptionsHolder._dumpHelp().utf8)).command
        let globalNames = Set((global.arguments ?? []).compactMap { $0.names?.first?.name })
        var page = ".TH BKFIX 1 \"\" \"bkfix \(BuildInfo.version)\" \"bkfix manual\"\n"
        page += ".SH NAME\nbkfix \\- \(escape(root.abstract ?? ""))\n"
        page += ".SH SYNOPSIS\n.B bkfix\n.I command\n[\\fIarguments\\fR] [\\fIoptions\\fR]\n.br\n"
        page += ".B bkfix\n.B \\-\\-version\n"
        page += ".SH DESCRIPTION\n\(escape(description))\n"
        page += ".SH COMMANDS\n"
        for command in root.subcommands ?? [] where command.shouldDisplay != false {
            page += commandSection(command, path: ["bkfix"], skipping: globalNames)
        }
        page += ".SH GLOBAL OPTIONS\nAccepted by every command, before or after its own arguments.\n"
        for argument in global.arguments ?? [] where argument.shouldDisplay && !isBuiltIn(argument) {
            page += item(argument)
        }
        page += exitStatus + files + environment + examples
        page += ".SH SEE ALSO\n.BR git (1),\n.BR helm (1),\n.BR kubectl (1),\n.BR ssh (1)\n"
        return page
    }

    /// A command's heading (with its usage), its abstract and its own arguments; then its subcommands.
    private static func commandSection(_ command: Command, path: [String], skipping global: Set<String>) -> String {
        let own = (command.arguments ?? []).filter {
            $0.shouldDisplay && !global.contains($0.names?.first?.name ?? "") && !isBuiltIn($0)
        }
        let words = path + [command.commandName]
        var section = ".SS \"\(escape((words + own.map(usage)).joined(separator: " ")))\"\n"
        section += escape(command.abstract ?? "") + "\n"
        if let discussion = command.discussion, !discussion.isEmpty { section += ".PP\n\(escape(discussion))\n" }
        for argument in own { section += item(argument) }
        for sub in command.subcommands ?? [] where sub.shouldDisplay != false {
            section += commandSection(sub, path: words, skipping: global)
        }
        return section
    }

    /// ArgumentParser's own `--help` and `--version`, which every command has.
    private static func isBuiltIn(_ argument: Argument) -> Bool {
        ["help", "version"].contains(argument.names?.first?.name ?? "")
    }

    /// `PLAYBOOK`, `[--out <out>]`, `[-p <param> ...]`.
    private static func usage(_ argument: Argument) -> String {
        var text: String
        if argument.kind == "positional" {
            text = (argument.valueName ?? "arg").uppercased()
        } else {
            text = flagName(argument.names?.first)
            if argument.kind == "option" { text += " <\(argument.valueName ?? "value")>" }
        }
        if argument.isRepeating { text += " ..." }
        return argument.isOptional ? "[\(text)]" : text
    }

    /// One `.TP` entry: every name of the argument, then its help and default.
    private static func item(_ argument: Argument) -> String {
        let names =
            argument.kind == "positional"
            ? (argument.valueName ?? "arg").uppercased()
            : (argument.names ?? []).map(flagName).joined(separator: ", ")
        var head = "\\fB\(escape(names))\\fR"
        if argument.kind == "option" { head += " \\fI\(escape(argument.valueName ?? "value"))\\fR" }
        var body = escape(argument.abstract ?? "")
        if let value = argument.defaultValue, !value.isEmpty { body += " (default: \(escape(value)))" }
        return ".TP\n\(head)\n\(body)\n"
    }

    private static func flagName(_ name: Argument.Name?) -> String {
        guard let name else { return "" }
        return (name.kind == "short" ? "-" : "--") + name.name
    }

    /// Text safe as roff input: backslashes doubled, a leading `.` or `'` neutralised, `-` kept a minus sign.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
            .split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : String(line)
            }.joined(separator: "\n")
    }

    private static let description = """
        bkfix diagnoses a failed BlueKing CE 7 deployment (helm and helmfile on Kubernetes) from its logs or the live \
        cluster, plans the fix as a dry-run diff, applies it only after confirmation, and records every change in a \
        git repository (the state repo) so that any fix can be rolled back and the whole history audited. The \
        playbooks and cases are built in; a site adds or overrides them in /etc/bkfix/playbooks and /etc/bkfix/cases.
        """

    private static let exitStatus = """
        .SH EXIT STATUS
        .TP
        0
        Done, or nothing to do.
        .TP
        1
        A step failed (the run is recorded as failed), or an unexpected error (I/O, state repo).
        .TP
        2
        Bad input: unknown playbook, bad parameter, invalid playbook, case, hosts or values file, a \\-\\-playbooks \
        folder that is missing or holds no valid playbook, unknown run.
        .TP
        3
        Refused: not confirmed, stale plan, file changed since the run, already rolled back, interrupted run pending.
        .TP
        4
        Another bkfix holds the state lock.
        .TP
        5
        Applied, but a verify check failed (status verify\\-failed).
        .TP
        64
        The command line is malformed (unknown option, missing argument).
        .TP
        130
        Stopped by Ctrl\\-C or SIGTERM; the run is recorded as interrupted.

        """

    private static let files = """
        .SH FILES
        .TP
        /var/lib/bkfix/state
        The state repo of an installed bkfix (mode 0700), created by the first apply; a binary built in a checkout \
        uses the checkout's state/. Read it with git \\-C /var/lib/bkfix/state log \\-p.
        .TP
        STATE/.git/bkfix/
        The lock and the journals of runs in progress (never committed).
        .TP
        /etc/bkfix/playbooks/*.yaml
        The site's own playbooks: searched after \\-\\-playbooks folders and before the built\\-in playbooks; a file \
        with the id of a built\\-in playbook overrides it.
        .TP
        /etc/bkfix/cases/*.yaml
        The site's own cases, searched before the built\\-in cases in the same way.
        .TP
        /etc/bkfix/inventory.yaml
        The usual place of the nodes file given with \\-\\-inventory or BKFIX_INVENTORY.

        """

    private static let environment = """
        .SH ENVIRONMENT
        .TP
        BKFIX_STATE
        The state repo when \\-\\-state is not given.
        .TP
        BKFIX_INVENTORY
        The nodes file when \\-\\-inventory is not given.
        .TP
        INSTALL_DIR
        The BlueKing install dir when \\-\\-install\\-dir is not given.
        .TP
        KUBECONFIG
        Passed on to kubectl, as \\-\\-kubeconfig is.
        .TP
        LC_ALL, LANG
        The message language when \\-\\-lang is not given (zh* selects Chinese).
        .TP
        NO_COLOR
        Never colour the output.
        .TP
        SUDO_USER
        Recorded as the operator of a run when set.
        .TP
        TMPDIR
        Where the demo sandbox and the SSH control sockets are made.

        """

    private static let examples = """
        .SH EXAMPLES
        .TP
        bkfix diagnose sync.log
        Which known case is this log, with the evidence and the playbook that fixes it.
        .TP
        bkfix plan hub\\-hosts
        The diff the fix would make; nothing is changed.
        .TP
        bkfix apply hub\\-hosts \\-p ip=10.0.0.9
        Apply it after typing yes; \\-\\-yes for automation.
        .TP
        bkfix history; bkfix show RUN_ID
        What was changed, when and by whom.
        .TP
        bkfix rollback \\-\\-last
        Undo the newest run.
        .TP
        bkfix demo
        The whole loop on a sandbox, without a cluster.

        """
}

/// The global options alone, so the manual lists them once instead of under every command.
private struct GlobalOptionsHolder: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bkfix")
    @OptionGroup var global: GlobalOptions
}
