import Foundation

/// Reads, from normalized lines, the facts that name where things run (`ContextFact`): helm and helmfile messages
/// and release tables, command lines (`-n NS`, `--namespace NS`, `-l name=REL`, `helm status REL`), helmfile's
/// `ARGS:` listing of a failed call, `kubectl get pods` rows, `kubectl describe` fields, klog's `pod="ns/name"` and
/// `dial tcp IP:PORT` of node ports.
///
/// A line is looked at only when the literal search found one of `triggers` in it, except while a table or an
/// `ARGS:` block is open: then every following line is read until the block ends.
struct ContextReader {
    /// What a trigger literal announces.
    struct Trigger: OptionSet, Sendable {
        let rawValue: UInt32
        static let releaseQuote = Trigger(rawValue: 1 << 0)
        static let keyValue = Trigger(rawValue: 1 << 1)
        static let failedRelease = Trigger(rawValue: 1 << 2)
        static let summary = Trigger(rawValue: 1 << 3)
        static let header = Trigger(rawValue: 1 << 4)
        static let args = Trigger(rawValue: 1 << 5)
        static let command = Trigger(rawValue: 1 << 6)
        static let describe = Trigger(rawValue: 1 << 7)
        static let instanceLabel = Trigger(rawValue: 1 << 8)
        static let klogPod = Trigger(rawValue: 1 << 9)
        static let dialTCP = Trigger(rawValue: 1 << 10)
        static let podRow = Trigger(rawValue: 1 << 11)
        static let objectName = Trigger(rawValue: 1 << 12)
    }

    /// The literals that make a line worth reading, each with what it announces.
    static let triggerLiterals: [(String, Trigger)] = [
        ("Release \"", .releaseQuote), ("release \"", .failedRelease), ("release=", .keyValue),
        ("namespace=", .keyValue), ("failed processing release ", .failedRelease),
        ("RELEASES:", .summary), (" Releases ", .summary), ("GROUP RELEASES", .summary),
        ("NAMESPACE", .header), ("ARGS:", .args),
        ("--namespace", .command), (" -n ", .command), (" -n=", .command), (" -l ", .command),
        ("--selector", .command), ("upgrade --install ", .command), ("helm install ", .command),
        ("helm uninstall ", .command), ("helm delete ", .command), ("helm rollback ", .command),
        ("helm history ", .command), ("helm status ", .command), ("helm get ", .command),
        ("kubectl logs ", .command), ("kubectl describe ", .command), ("kubectl delete ", .command),
        ("Name:", .describe), ("Namespace:", .describe), ("Node:", .describe),
        ("app.kubernetes.io/instance=", .instanceLabel), (" pod=\"", .klogPod), ("dial tcp ", .dialTCP),
        (" pod/", .objectName),
        ("CrashLoopBackOff", .podRow), ("ImagePullBackOff", .podRow), ("ErrImagePull", .podRow),
        ("Pending", .podRow), ("ContainerCreating", .podRow), ("PodInitializing", .podRow), ("Init:", .podRow),
        (" Running ", .podRow), (" Error ", .podRow), ("OOMKilled", .podRow),
    ]

    /// What surrounds a helmfile banner title (`==== Updated Releases ====`) and a value taken from a line.
    private static let bannerEdges = CharacterSet(charactersIn: "= ")
    private static let valueEdges = CharacterSet(charactersIn: " \t\"'`,;.()[]")

    /// Ports a node listens on (kubelet, apiserver, etcd, ssh ...): a `dial tcp IP:PORT` to one of them names a node.
    static let nodePorts: Set<Int> = [22, 2379, 2380, 6443, 10248, 10249, 10250, 10255, 10256, 10257, 10259]

    /// An open multi-line block: the lines after it are read one by one.
    private enum Block {
        case none
        /// A helmfile summary title was seen; its table header comes next.
        case title(ContextFact.Strength, line: Int)
        case table(Table)
        /// helmfile's `ARGS:` listing of a failed command, one `N: arg (M bytes)` per line.
        case args([String], line: Int)
    }

    private struct Table {
        /// Column name → start offset in the header line.
        var columns: [(name: String, start: Int)]
        var strength: ContextFact.Strength
        /// `kubectl get pods`: rows are pods, not releases.
        var pods: Bool
        /// helmfile's `GROUP RELEASES` listing (`1  default/ns/name`).
        var groups: Bool
        var rows = 0
    }

    private var block = Block.none
    /// `Name:` of a `kubectl describe`, kept until its `Node:` line says it is a pod.
    private var describeName: (String, line: Int)?
    /// Recently emitted values, so a value repeated on every line is not allocated again.
    private var recent: [String] = []
    /// The facts read from the current line.
    private(set) var facts: [ContextFact] = []

    /// True while a block is open and every line must be read.
    var isReadingBlock: Bool {
        if case .none = block { return false }
        return true
    }

    /// Reads one normalized line; the facts found are in `facts` until the next call.
    mutating func read(_ line: UnsafeBufferPointer<UInt8>, number: Int, triggers: Trigger) {
        facts.removeAll(keepingCapacity: true)
        if continueBlock(line, number: number) { return }
        guard !triggers.isEmpty else { return }
        let text = ByteLine(line)
        if triggers.contains(.summary) { openSummary(text, number) }
        if triggers.contains(.header) { openHeader(text, number) }
        if triggers.contains(.args), text.trimmed == "ARGS:" { block = .args([], line: number) }
        if triggers.contains(.releaseQuote) { releaseQuote(text, number) }
        if triggers.contains(.failedRelease) { failedRelease(text, number) }
        if triggers.contains(.keyValue) { keyValues(text, number) }
        if triggers.contains(.command) { commandLine(text, number) }
        if triggers.contains(.describe) { describeField(text, number) }
        if triggers.contains(.instanceLabel) {
            for value in text.values(after: "app.kubernetes.io/instance=") { emit("release", value, number, .acting) }
        }
        if triggers.contains(.klogPod) { klogPod(text, number) }
        if triggers.contains(.dialTCP) { dialTCP(text, number) }
        if triggers.contains(.objectName) {
            // `kubectl get events`: `2m  Warning  FailedScheduling  pod/bk-mysql-mysql-1  0/3 nodes are available`.
            for value in text.values(after: " pod/") where PodNames.isPodName(value) {
                emit("pod", value, number, .acting)
            }
        }
        if triggers.contains(.podRow), case .none = block { podRow(text.tokens, number, header: nil) }
    }

    // MARK: blocks

    /// Reads a line of an open block; false when no block is open (or this line ended it and must be read anew).
    private mutating func continueBlock(_ line: UnsafeBufferPointer<UInt8>, number: Int) -> Bool {
        switch block {
        case .none:
            return false
        case .title(let strength, let at):
            let text = ByteLine(line)
            if text.trimmed.isEmpty, number - at < 3 { return true }
            block = .none
            if let table = Self.header(text, strength: strength) {
                block = .table(table)
                return true
            }
            return false
        case .table(var table):
            let text = ByteLine(line)
            guard !text.trimmed.isEmpty, table.rows < 500, tableRow(text, &table, number) else {
                block = .none
                return text.trimmed.isEmpty
            }
            table.rows += 1
            block = .table(table)
            return true
        case .args(var argv, let at):
            let text = ByteLine(line)
            if let arg = Self.listedArgument(text), argv.count < 400 {
                argv.append(arg)
                block = .args(argv, line: at)
                return true
            }
            block = .none
            if !argv.isEmpty { command(argv[...], number: number, strength: .failing) }
            return false
        }
    }

    private mutating func openSummary(_ text: ByteLine, _ number: Int) {
        let title = text.trimmed.trimmingCharacters(in: Self.bannerEdges)
        switch title {
        case "FAILED RELEASES:", "Failed Releases", "FAILED TO DELETE RELEASES:":
            block = .title(.failing, line: number)
        case "UPDATED RELEASES:", "Updated Releases", "REINSTALLED RELEASES:", "Reinstalled Releases":
            block = .title(.listed, line: number)
        case "GROUP RELEASES":
            block = .table(
                Table(columns: [("GROUP", 0), ("RELEASES", 0)], strength: .listed, pods: false, groups: true))
        default:
            break
        }
    }

    private mutating func openHeader(_ text: ByteLine, _ number: Int) {
        if let table = Self.header(text, strength: .listed) { block = .table(table) }
    }

    /// A table header: `NAME  NAMESPACE  CHART ...` (helmfile, helm list; `RELEASE  NAMESPACE ...` where the release
    /// column is called so) or `[NAMESPACE] NAME  READY  STATUS ...` (kubectl get pods).
    private static func header(_ text: ByteLine, strength: ContextFact.Strength) -> Table? {
        let cells = text.cells
        let names = cells.map(\.text)
        guard names.contains("NAME") || names.contains("RELEASE") else { return nil }
        let pods = names.contains("READY") && names.contains("STATUS")
        guard pods || names.contains("NAMESPACE") || names.contains("CHART") else { return nil }
        return Table(
            columns: cells.map { ($0.text, $0.start) }, strength: strength, pods: pods, groups: false)
    }

    /// Reads one row; false when the line is no row of this table.
    private mutating func tableRow(_ text: ByteLine, _ table: inout Table, _ number: Int) -> Bool {
        if table.groups {
            let tokens = text.tokens
            guard tokens.count == 2, Int(tokens[0]) != nil else { return false }
            let parts = tokens[1].split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, !parts[2].isEmpty else { return false }
            if !parts[1].isEmpty { emit("namespace", String(parts[1]), number, table.strength) }
            emit("release", String(parts[2]), number, table.strength)
            return true
        }
        func cell(_ name: String) -> String? {
            guard let index = table.columns.firstIndex(where: { $0.name == name }) else { return nil }
            let start = table.columns[index].start
            let end = index + 1 < table.columns.count ? table.columns[index + 1].start : Int.max
            return text.cell(from: start, to: end)
        }
        let nameColumn = table.columns.contains { $0.name == "RELEASE" } && !table.pods ? "RELEASE" : "NAME"
        guard let name = cell(nameColumn), !name.isEmpty, !name.contains(" ") else { return false }
        if table.pods {
            podRow(text.tokens, number, header: (name, cell("NAMESPACE"), cell("READY"), cell("STATUS"), cell("NODE")))
            return true
        }
        var strength = table.strength
        if let status = cell("STATUS")?.lowercased() {
            strength = status == "failed" || status.hasPrefix("pending") ? .failing : .listed
        }
        emit("release", name, number, strength)
        if let namespace = cell("NAMESPACE"), !namespace.isEmpty, !namespace.contains(" ") {
            emit("namespace", namespace, number, strength)
        }
        return true
    }

    /// `  3: bk-paas (7 bytes)` → `bk-paas`.
    private static func listedArgument(_ text: ByteLine) -> String? {
        let line = text.trimmed
        guard let colon = line.firstIndex(of: ":"), Int(line[..<colon]) != nil, line.hasSuffix(" bytes)"),
            let open = line.range(of: " (", options: .backwards), open.lowerBound > colon
        else { return nil }
        let value = line[line.index(after: colon)..<open.lowerBound]
        return String(value.dropFirst(value.hasPrefix(" ") ? 1 : 0))
    }

    // MARK: one-line facts

    /// `Release "bk-repo" does not exist. Installing it now.`, `Release "x" has been upgraded. Happy Helming!`
    private mutating func releaseQuote(_ text: ByteLine, _ number: Int) {
        for (value, rest) in text.quoted(after: "Release \"") {
            let strength: ContextFact.Strength =
                rest.hasPrefix(" has been upgraded") || rest.hasPrefix(" has been rolled back") ? .listed : .acting
            emit("release", value, number, strength)
        }
    }

    /// `failed processing release bk-paas: ...`, helmfile's `err: release "bk-paas" in "x.yaml" failed`, helm's
    /// `Error: release bk-paas failed, and has been uninstalled due to atomic being set`.
    private mutating func failedRelease(_ text: ByteLine, _ number: Int) {
        for value in text.values(after: "failed processing release ") { emit("release", value, number, .failing) }
        for (value, rest) in text.quoted(after: "release \"") where rest.contains("failed") {
            emit("release", value, number, .failing)
        }
    }

    /// helmfile's `Upgrading release=bk-paas, chart=blueking/bk-paas, namespace=blueking`.
    private mutating func keyValues(_ text: ByteLine, _ number: Int) {
        for value in text.values(after: "release=", wordStart: true) { emit("release", value, number, .acting) }
        for value in text.values(after: "namespace=", wordStart: true) { emit("namespace", value, number, .acting) }
    }

    /// A shell command line (`helm ...`, `helmfile ...`, `kubectl ...`, behind a prompt, `sudo` or a path).
    private mutating func commandLine(_ text: ByteLine, _ number: Int) {
        let tokens = text.tokens
        guard let program = tokens.prefix(4).firstIndex(where: { CommandLineFacts.isProgram($0) }),
            tokens[..<program].allSatisfy({ CommandLineFacts.isPromptToken($0) })
        else { return }
        command(tokens[program...], number: number, strength: .acting)
    }

    private mutating func command(_ argv: ArraySlice<String>, number: Int, strength: ContextFact.Strength) {
        for (name, value) in CommandLineFacts.facts(argv) { emit(name, value, number, strength) }
    }

    /// `kubectl describe`: `Name:`, `Namespace:` and `Node: node-3/10.0.0.3` at the start of a line.
    private mutating func describeField(_ text: ByteLine, _ number: Int) {
        let line = text.trimmed
        guard let colon = line.firstIndex(of: ":") else { return }
        let field = line[..<colon]
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty, !value.contains(" ") else { return }
        switch field {
        case "Name":
            describeName = (value, number)
        case "Namespace":
            emit("namespace", value, number, .acting)
        case "Node":
            // Only a pod's description has a `Node:` line (`<none>` while it is not scheduled).
            if let (name, at) = describeName, number - at <= 15 { emit("pod", name, number, .acting) }
            describeName = nil
            guard value != "<none>" else { return }
            let parts = value.split(separator: "/")
            let ip = parts.count == 2 && HostsFileEditor.isValidIPv4(String(parts[1]))
            emit("node", String(ip ? parts[1] : parts[0]), number, .acting)
        default:
            break
        }
    }

    /// klog's structured `pod="blueking/bk-repo-gateway-6c8b9f7d5-zz9kq"`.
    private mutating func klogPod(_ text: ByteLine, _ number: Int) {
        for (value, _) in text.quoted(after: " pod=\"") {
            let parts = value.split(separator: "/")
            guard parts.count == 2 else { continue }
            emit("namespace", String(parts[0]), number, .acting)
            emit("pod", String(parts[1]), number, .acting)
        }
    }

    /// `dial tcp 10.0.0.7:10250: connect: no route to host`: a node, when the port is one nodes listen on.
    private mutating func dialTCP(_ text: ByteLine, _ number: Int) {
        for value in text.values(after: "dial tcp ") {
            let parts = value.split(separator: ":")
            guard parts.count >= 2, HostsFileEditor.isValidIPv4(String(parts[0])),
                let port = Int(parts[1].prefix { $0.isNumber }),
                Self.nodePorts.contains(port)
            else { continue }
            emit("node", String(parts[0]), number, .acting)
        }
    }

    /// A `kubectl get pods` row (`[NAMESPACE] NAME READY STATUS RESTARTS AGE [IP NODE ...]`) of a pod that is not
    /// ready: its pod, namespace and node.
    private mutating func podRow(
        _ tokens: [String], _ number: Int,
        header: (name: String, namespace: String?, ready: String?, status: String?, node: String?)?
    ) {
        var name: String
        var namespace: String?
        var ready: String
        var status: String
        var node: String?
        if let header {
            guard let r = header.ready, let s = header.status else { return }
            (name, namespace, ready, status, node) = (header.name, header.namespace, r, s, header.node)
        } else {
            guard let at = tokens.prefix(3).firstIndex(where: Self.isReadyCount), at >= 1, at + 1 < tokens.count
            else { return }
            name = tokens[at - 1]
            namespace = at == 2 ? tokens[0] : nil
            ready = tokens[at]
            status = tokens[at + 1]
            if let ip = tokens[(at + 2)...].firstIndex(where: { HostsFileEditor.isValidIPv4($0) }),
                ip + 1 < tokens.count
            {
                node = tokens[ip + 1]
            }
        }
        guard Self.isReadyCount(ready), !["Completed", "Succeeded"].contains(status) else { return }
        let counts = ready.split(separator: "/").compactMap { Int($0) }
        guard counts.count == 2, counts[0] < counts[1] || status != "Running" else { return }
        guard PodNames.isPodName(name) else { return }
        emit("pod", name, number, .acting)
        if let namespace, PodNames.isPodName(namespace) { emit("namespace", namespace, number, .acting) }
        if let node, node != "<none>", !node.isEmpty { emit("node", node, number, .acting) }
    }

    private static func isReadyCount(_ token: String) -> Bool {
        let parts = token.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }

    private mutating func emit(_ name: String, _ value: String, _ number: Int, _ strength: ContextFact.Strength) {
        let value = value.trimmingCharacters(in: Self.valueEdges)
        guard !value.isEmpty, value.utf8.count <= 253, !value.contains(" ") else { return }
        var shared = value
        if let same = recent.first(where: { $0 == value }) {
            shared = same
        } else {
            if recent.count >= 32 { recent.removeFirst() }
            recent.append(value)
        }
        let fact = ContextFact(name: name, value: shared, line: number, strength: strength)
        if !facts.contains(fact) { facts.append(fact) }
    }
}
