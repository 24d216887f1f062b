import ArgumentParser
import BKFix
import Foundation

/// Options that say where the case catalogue and the cluster are; shared by diagnose, fix and collect.
struct ClusterOptions: ParsableArguments {
    @Option(
        help: "Extra case folder, searched before /etc/bkfix/cases and the built-in cases.", completion: .directory)
    var cases: String?

    @Option(
        name: .customLong("namespace"),
        help: "Namespace to inspect with --live (repeatable; default: the BlueKing ones).")
    var namespaces: [String] = []

    @Option(help: "kubectl context to use.")
    var context: String?

    @Option(help: "kubeconfig for kubectl (passed as KUBECONFIG).")
    var kubeconfig: String?

    func catalog(_ global: GlobalOptions) throws -> CaseCatalog { try Self.catalog(cases: cases, global) }

    /// The catalogue: the `--cases` folder, the site's `/etc/bkfix/cases`, then the built-in cases.
    static func catalog(cases: String?, _ global: GlobalOptions) throws -> CaseCatalog {
        try library(cases: cases, global).catalog()
    }

    static func library(cases: String?, _ global: GlobalOptions) -> CaseLibrary {
        CaseLibrary(given: cases.map { [global.absolute($0)] } ?? [], root: global.absolute(global.root))
    }

    func kubectl(_ session: Session, _ global: GlobalOptions) -> KubectlClient {
        KubectlClient(transport: session.hosts.control, context: context, kubeconfig: kubeconfig.map(global.absolute))
    }
}

/// What diagnose and fix read: a log (a file, `-` for stdin, or stdin when it is piped) and, with `--live`, the cluster.
struct DiagnosisSource: ParsableArguments {
    @Argument(help: "A log file, or - for standard input (read from a pipe when omitted).")
    var file: String?

    @Flag(help: "Also inspect the cluster through kubectl (pods that are not Ready).")
    var live = false

    @Flag(help: "With --live, also resolve a service of the failing release against kube-dns from every node (SSH).")
    var nodes = false

    @OptionGroup var cluster: ClusterOptions

    func validate() throws {
        if nodes && !live { throw ValidationError("--nodes probes the nodes for a live diagnosis: add --live") }
    }

    /// Findings from the text input and, with `--live`, the cluster (the live ones tied to the text ones).
    func findings(session: Session, global: GlobalOptions, language: Language) throws -> [Finding] {
        let catalog = try cluster.catalog(global)
        var diagnoser = Diagnoser(catalog: catalog, language: language)
        diagnoser.releases = Self.knownReleases(session)
        let text = try textFindings(diagnoser, global: global)
        guard live else { return text }
        let found = try LiveDiagnoser(catalog: catalog, kubectl: cluster.kubectl(session, global), language: language)
            .diagnose(namespaces: cluster.namespaces.isEmpty ? nil : cluster.namespaces, combining: text)
        guard nodes else { return found }
        let probed = NodeDNSProbe(hosts: session.hosts, kubectl: cluster.kubectl(session, global))
            .augment(found, catalog: catalog, language: language)
        // The probe may add or strengthen cluster-dns-unreachable: causes go before their symptoms again.
        return CauseRanking.rank(probed, catalog: catalog, language: language)
    }

    /// The work dir's releases and namespaces, when there is a work dir (a broken one only means none are known).
    static func knownReleases(_ session: Session) -> KnownReleases {
        guard let installDir = session.installDir,
            let workDir = try? BlueKingWorkDir.locate(installDir: installDir, transport: session.hosts.control)
        else { return KnownReleases() }
        return KnownReleases(
            namespaces: Dictionary(
                workDir.releases.map { ($0.name, $0.namespace) }, uniquingKeysWith: { first, _ in first }))
    }

    private func textFindings(_ diagnoser: Diagnoser, global: GlobalOptions) throws -> [Finding] {
        if let file, file != "-" { return try diagnoser.diagnose(path: global.absolute(file)) }
        if file == "-" || (!live && isatty(STDIN_FILENO) != 1) {
            return try diagnoser.diagnose(handle: FileHandle.standardInput)
        }
        if !live { throw DiagnoseError.noInput }
        return []
    }
}

/// What diagnose and fix both show about the playbooks a finding suggests.
enum DiagnosisInput {
    /// Each playbook that loads, with the params it takes (for "no playbook yet" and the suggested command line).
    static func playbookParams(_ session: Session) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for playbook in session.library.loadAll().playbooks { out[playbook.id] = Set(playbook.params.map(\.name)) }
        return out
    }
}

/// `bkfix diagnose [FILE|-] [--live]`: which known case is this, with evidence, explanation and the playbook to run.
struct DiagnoseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diagnose", abstract: "Match error text and/or the live cluster against the known cases.")

    @OptionGroup var source: DiagnosisSource
    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            let findings = try source.findings(session: session, global: global, language: console.lang)
            if global.json {
                console.json(FindingRenderer.jsonObject(findings))
            } else {
                console.out(
                    FindingRenderer.render(
                        findings, language: console.lang, color: global.color,
                        playbookParams: DiagnosisInput.playbookParams(session)))
            }
            return .ok
        }
    }
}
