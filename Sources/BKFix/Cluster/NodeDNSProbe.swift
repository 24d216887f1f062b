import Foundation

/// How one host fared resolving a cluster service name against the cluster DNS service.
public enum DNSProbeOutcome: Sendable, Equatable {
    case resolves(String)
    case timesOut
    /// The DNS server answered, but not with an address (NXDOMAIN ...): it is reachable.
    case notFound(String)
    case failed(String)
    case unreachable(String)

    /// The host could not reach the cluster DNS at all.
    public var isTimeout: Bool { self == .timesOut }
}

/// `diagnose --live --nodes`: from the control machine and every node, `nslookup NAME KUBE_DNS_IP`, as BlueKing's
/// guide does by hand, where NAME is a service of the failing release (the `*.svc.cluster.local` name in the
/// evidence, else the release's first service, else `kubernetes.default`). Each host's result is evidence for
/// `cluster-dns-unreachable`: nodes that time out while the control machine resolves point at the virtual network.
public struct NodeDNSProbe: Sendable {
    public let hosts: HostDirectory
    public let kubectl: KubectlClient
    /// Per-host nslookup time limit, seconds.
    public var timeout: Double = 20
    public static let caseID = "cluster-dns-unreachable"

    public init(hosts: HostDirectory, kubectl: KubectlClient) {
        self.hosts = hosts
        self.kubectl = kubectl
    }

    /// The findings with the probe's evidence added to `cluster-dns-unreachable` (found, or newly reported when a
    /// host times out); unchanged when the cluster DNS service cannot be found.
    public func augment(_ findings: [Finding], catalog: CaseCatalog, language: Language) -> [Finding] {
        guard let dnsIP = try? clusterDNSAddress() else { return findings }
        let name = serviceName(for: findings)
        var rows: [(host: String, outcome: DNSProbeOutcome)] = []
        for host in ["control"] + ((try? hosts.expand(["nodes"])) ?? []) {
            rows.append((host, probe(host, name: name, server: dnsIP)))
        }
        let evidence = rows.map { Evidence(line: nil, text: Self.describe($0.host, $0.outcome, name, dnsIP)) }
        let timedOut = rows.filter { $0.outcome.isTimeout }.map(\.host)
        let controlResolves =
            rows.first { $0.host == "control" }.map {
                if case .resolves = $0.outcome { true } else { false }
            } ?? false
        let weight = timedOut.isEmpty ? 0 : controlResolves ? 0.8 : 0.6
        var out = findings
        if let index = out.firstIndex(where: { $0.caseID == Self.caseID }) {
            out[index].evidence += evidence
            out[index].confidence = Finding.rounded(1 - (1 - out[index].confidence) * (1 - weight))
        } else if weight > 0, let def = catalog.definition(Self.caseID) {
            out.append(
                Finding(
                    caseID: Self.caseID, confidence: weight, evidence: evidence, playbooks: def.playbooks,
                    params: [:], title: def.title.text(language), explanation: def.explanation.text(language),
                    nextStep: def.nextStep.text(language)))
        }
        return out.sorted { $0.confidence > $1.confidence }
    }

    /// The ClusterIP of `kube-dns` in kube-system (CoreDNS keeps that service name).
    public func clusterDNSAddress() throws -> String? {
        let json = try kubectl.run(["get", "svc", "-n", "kube-system", "-o", "json"])
        return Self.services(json).first { $0.name == "kube-dns" || $0.labels["k8s-app"] == "kube-dns" }?.clusterIP
    }

    /// The name to resolve: one the evidence already names, else a service of the failing release.
    func serviceName(for findings: [Finding]) -> String {
        let texts = findings.flatMap { $0.evidence.map(\.text) }
        for text in texts {
            if let range = text.range(
                of: #"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.svc\.cluster\.local"#, options: .regularExpression)
            {
                return String(text[range])
            }
        }
        for finding in findings {
            guard let release = finding.params["release"] else { continue }
            let namespace = finding.params["namespace"] ?? BlueKingWorkDir.defaultNamespace
            let json = try? kubectl.run([
                "get", "svc", "-n", namespace, "-l", "app.kubernetes.io/instance=\(release)", "-o", "json",
            ])
            if let first = json.flatMap({ Self.services($0).first }) {
                return "\(first.name).\(namespace).svc.cluster.local"
            }
        }
        return "kubernetes.default.svc.cluster.local"
    }

    /// One host's `nslookup NAME SERVER`.
    func probe(_ host: String, name: String, server: String) -> DNSProbeOutcome {
        let result: CommandResult
        do {
            let transport = try hosts.transport(for: host)
            result = try transport.run(CommandSpec(argv: ["nslookup", name, server], timeout: timeout), output: nil)
        } catch let error as SSHTransportError {
            if case .unreachable = error { return .unreachable(error.localizedDescription) }
            return .failed(error.localizedDescription)
        } catch ProcessRunnerError.notFound {
            return .failed("no nslookup on the host (install bind-utils or dnsutils)")
        } catch {
            return .failed(error.localizedDescription)
        }
        return Self.outcome(result)
    }

    /// Reads nslookup's answer (bind's and busybox's).
    static func outcome(_ result: CommandResult) -> DNSProbeOutcome {
        let text = result.stdout + "\n" + result.stderr
        if result.timedOut || text.contains("timed out") || text.contains("no servers could be reached") {
            return .timesOut
        }
        if result.exitCode == 127 { return .failed("no nslookup on the host (install bind-utils or dnsutils)") }
        if result.succeeded {
            // The server's own lines come first ("Server:", "Address: 10.96.0.10#53"); the answer follows "Name:".
            let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            if let nameIndex = lines.firstIndex(where: { $0.hasPrefix("Name:") }),
                let address = lines[nameIndex...].first(where: { $0.hasPrefix("Address") })
            {
                return .resolves(
                    address.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) }
                        ?? "")
            }
        }
        let answer = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .first { $0.contains("NXDOMAIN") || $0.contains("can't find") || $0.contains("SERVFAIL") }
        if let answer { return .notFound(answer) }
        let last = text.split(separator: "\n").last.map(String.init) ?? "exit status \(result.exitCode)"
        return .failed("exit status \(result.exitCode): \(last)")
    }

    static func describe(_ host: String, _ outcome: DNSProbeOutcome, _ name: String, _ server: String) -> String {
        let probe = "nslookup \(name) \(server)"
        switch outcome {
        case .resolves(let address): return "\(host): \(probe) resolves (\(address))"
        case .timesOut: return "\(host): \(probe) times out"
        case .notFound(let answer): return "\(host): \(probe) reaches the DNS but gets no address (\(answer))"
        case .failed(let why): return "\(host): \(probe) could not run: \(why)"
        case .unreachable(let why): return "\(host): not probed: \(why)"
        }
    }

    /// Services of `kubectl get svc -o json`: name, ClusterIP and labels.
    static func services(_ json: String) -> [(name: String, clusterIP: String, labels: [String: String])] {
        struct List: Decodable {
            struct Item: Decodable {
                struct Meta: Decodable {
                    var name: String
                    var labels: [String: String]?
                }
                struct Spec: Decodable { var clusterIP: String? }
                var metadata: Meta
                var spec: Spec?
            }
            var items: [Item]
        }
        guard let list = try? JSONDecoder().decode(List.self, from: Data(json.utf8)) else { return [] }
        return list.items.compactMap { item in
            guard let ip = item.spec?.clusterIP, !ip.isEmpty, ip != "None" else { return nil }
            return (item.metadata.name, ip, item.metadata.labels ?? [:])
        }
    }
}
