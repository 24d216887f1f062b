import Foundation
import Synchronization

/// Diagnoses the live cluster: finds the pods that are not Ready and classifies each into a known case,
/// following Pending pods to their PVCs and StorageClasses and CrashLoopBackOff pods to their previous logs.
public struct LiveDiagnoser: Sendable {
    /// The namespaces BlueKing installs into; used when none are given.
    public static let defaultNamespaces = [
        "blueking", "bcs-system", "bkmonitor-operator", "ingress-nginx", "kube-system",
    ]

    public let catalog: CaseCatalog
    public let kubectl: KubectlClient
    public var language: Language
    /// A Running pod that is not ready and restarted more often than this starts too slowly (SPEC: RESTARTS > 3).
    public var restartThreshold = 3
    /// How many lines of `logs -p` are read from a crashing container.
    public var logTail = 50

    public init(catalog: CaseCatalog, kubectl: KubectlClient, language: Language = .en) {
        self.catalog = catalog
        self.kubectl = kubectl
        self.language = language
    }

    /// The findings of the cluster, combined with findings already made from text (a release timeout in a log
    /// is tied to the pods of that release).
    public func diagnose(namespaces: [String]? = nil, combining textFindings: [Finding] = []) throws -> [Finding] {
        let wanted = Set(namespaces ?? Self.defaultNamespaces)
        let pods = try kubectl.pods(namespaces: wanted).filter(\.isNotReady)
        let session = LiveSession(
            kubectl: kubectl, scanner: LineScanner(rules: Diagnoser(catalog: catalog).compiledRules()))
        session.prefetch(pods, logTail: logTail)
        for pod in pods { try classify(pod, in: session) }
        let live = session.scanner.collector.findings(catalog: catalog, language: language)
        return CauseRanking.rank(
            FindingMerger.combine(text: textFindings, live: live), catalog: catalog, language: language)
    }

    /// Reports the cases one not-Ready pod shows.
    private func classify(_ pod: PodSummary, in session: LiveSession) throws {
        let label = "\(pod.namespace)/\(pod.name)"
        var params = ["namespace": pod.namespace, "pod": pod.name]
        if let release = pod.release { params["release"] = release }
        if let component = pod.component { params["component"] = component }
        if let node = pod.hostIP ?? pod.nodeName { params["node"] = node }
        let group = pod.release ?? label
        let status =
            "\(pod.phase) \(pod.readyCount)/\(pod.containers.count), restarts \(pod.restarts)"
            + (pod.waitingReason.map { ", \($0)" } ?? "")
        func report(_ id: String, weight: Double, _ text: String = "") {
            session.scanner.collector.primary(
                case: id, group: group, rule: "live:\(id)", weight: weight, line: nil,
                text: "\(label): " + (text.isEmpty ? status : text), params: params)
        }
        func scan(_ fact: String, from source: String) {
            session.scanner.scanFact(fact, label: source, group: group, context: params)
        }
        let reason = pod.waitingReason ?? ""
        let pulling = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"].contains(reason)

        if pod.name.hasPrefix("nsenter-") && pulling {
            report("nsenter-image-pull", weight: 0.9)
            for message in try session.podEvents(pod, types: ["Failed"]) { scan(message, from: "\(label) event") }
        } else if pulling {
            let facts = try session.podEvents(pod, types: ["Failed"]) + pod.containers.compactMap(\.waitingMessage)
            let before = session.scanner.collector.caseCount
            for fact in facts { scan(fact, from: "\(label) event") }
            if session.scanner.collector.caseCount == before { report("image-pull-slow", weight: 0.5) }
        } else if reason == "CrashLoopBackOff" {
            report("pod-crashloop", weight: 0.8)
            let container = pod.containers.first { $0.waitingReason == "CrashLoopBackOff" }?.name
            do {
                let log = try session.previousLogs(pod, container: container, tail: logTail)
                for line in log.split(separator: "\n").suffix(logTail) {
                    scan(String(line), from: "logs -p \(label)")
                }
            } catch KubectlError.failed(_, _, let stderr) {
                scan(stderr, from: "kubectl logs -p \(label)")
            }
        } else if pod.phase == "Pending" {
            try classifyPending(pod, label: label, report: report, scan: scan, session: session)
        } else if pod.phase == "Running", pod.restarts > restartThreshold {
            report("pod-start-timeout", weight: 0.8)
        }
    }

    /// A Pending pod: still pulling its image, or not scheduled, then why (node resources, PVC, StorageClass).
    private func classifyPending(
        _ pod: PodSummary, label: String, report: (String, Double, String) -> Void, scan: (String, String) -> Void,
        session: LiveSession
    ) throws {
        let events = try session.events(namespace: pod.namespace).filter {
            $0.involvedObject.kind == "Pod" && $0.involvedObject.name == pod.name
        }
        if pod.schedulingMessage == nil,
            ["ContainerCreating", "PodInitializing", ""].contains(pod.waitingReason ?? ""),
            let pull = events.last(where: { $0.reason == "Pulling" }),
            !events.contains(where: { $0.reason == "Pulled" })
        {
            let message = pull.message ?? "Pulling image"
            scan(message, "\(label) event")
            report("image-pull-slow", 0.75, "\(message) (\(pull.count ?? 1)x, not pulled yet)")
            return
        }
        report("pod-pending", 0.7, "")
        if let message = pod.schedulingMessage { scan(message, "\(label) PodScheduled") }
        for event in events where event.reason == "FailedScheduling" {
            if let message = event.message, message != pod.schedulingMessage { scan(message, "\(label) event") }
        }
        guard !pod.claims.isEmpty else { return }
        let claims = try session.claims()
        for claimName in pod.claims {
            let pvcLabel = "pvc \(pod.namespace)/\(claimName)"
            guard
                let claim = claims.first(where: {
                    $0.metadata.name == claimName && $0.metadata.namespace == pod.namespace
                })
            else {
                report("pvc-unbound", 0.7, "\(pvcLabel) does not exist")
                continue
            }
            guard !claim.isBound else { continue }
            for event in try session.events(namespace: pod.namespace)
            where event.involvedObject.kind == "PersistentVolumeClaim" && event.involvedObject.name == claimName {
                if let message = event.message { scan(message, "\(pvcLabel) event") }
            }
            let className = claim.spec?.storageClassName ?? ""
            if className.isEmpty, try session.storageClasses().isEmpty {
                report(
                    "no-storage-class", 0.9,
                    "\(pvcLabel) is \(claim.status?.phase ?? "Pending"), names no StorageClass and `kubectl get sc` is empty"
                )
            }
        }
    }
}

/// Caches the cluster reads of one live diagnosis so each is made at most once, and makes the per-pod reads
/// (events per namespace, `logs -p` per crashing pod) concurrently up front: they are process spawns, not CPU.
private final class LiveSession {
    let kubectl: KubectlClient
    var scanner: LineScanner
    private var eventsByNamespace: [String: [EventList.Event]] = [:]
    private var prefetchedEvents: [String: Result<[EventList.Event], KubectlError>] = [:]
    private var prefetchedLogs: [String: Result<String, KubectlError>] = [:]
    private var cachedClaims: [PVCList.Claim]?
    private var cachedClasses: [String]?

    init(kubectl: KubectlClient, scanner: LineScanner) {
        self.kubectl = kubectl
        self.scanner = scanner
    }

    /// Reads, at most `width` at a time, the events and previous logs that classifying `pods` will need.
    func prefetch(_ pods: [PodSummary], logTail: Int, width: Int = 8) {
        let needsEvents = Set(
            pods.filter {
                $0.phase == "Pending"
                    || ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"].contains($0.waitingReason ?? "")
            }
            .map(\.namespace))
        let crashing = pods.filter { $0.waitingReason == "CrashLoopBackOff" }
        let events = Mutex<[String: Result<[EventList.Event], KubectlError>]>([:])
        let logs = Mutex<[String: Result<String, KubectlError>]>([:])
        let kubectl = self.kubectl
        var jobs: [@Sendable () -> Void] = needsEvents.map { namespace in
            { @Sendable in
                let result = Self.capture { try kubectl.events(namespace: namespace) }
                events.withLock { $0[namespace] = result }
            }
        }
        for pod in crashing {
            let container = pod.containers.first { $0.waitingReason == "CrashLoopBackOff" }?.name
            jobs.append { @Sendable in
                let result = Self.capture {
                    try kubectl.previousLogs(
                        namespace: pod.namespace, pod: pod.name, container: container, tail: logTail)
                }
                logs.withLock { $0[Self.logKey(pod, container)] = result }
            }
        }
        let group = DispatchGroup()
        let gate = DispatchSemaphore(value: width)
        for job in jobs {
            gate.wait()
            DispatchQueue.global().async(group: group) {
                job()
                gate.signal()
            }
        }
        group.wait()
        prefetchedEvents = events.withLock { $0 }
        prefetchedLogs = logs.withLock { $0 }
    }

    private static func capture<T>(_ read: () throws -> T) -> Result<T, KubectlError> {
        do {
            return .success(try read())
        } catch let error as KubectlError {
            return .failure(error)
        } catch {
            return .failure(.failed(argv: ["kubectl"], exitCode: -1, stderr: error.localizedDescription))
        }
    }

    private static func logKey(_ pod: PodSummary, _ container: String?) -> String {
        "\(pod.namespace)/\(pod.name)/\(container ?? "")"
    }

    func previousLogs(_ pod: PodSummary, container: String?, tail: Int) throws -> String {
        if let result = prefetchedLogs[Self.logKey(pod, container)] { return try result.get() }
        return try kubectl.previousLogs(namespace: pod.namespace, pod: pod.name, container: container, tail: tail)
    }

    func events(namespace: String) throws -> [EventList.Event] {
        if let cached = eventsByNamespace[namespace] { return cached }
        if let result = prefetchedEvents[namespace] {
            let events = try result.get()
            eventsByNamespace[namespace] = events
            return events
        }
        let events = try kubectl.events(namespace: namespace)
        eventsByNamespace[namespace] = events
        return events
    }

    /// Messages of the pod's events whose reason is one of `types`.
    func podEvents(_ pod: PodSummary, types: Set<String>) throws -> [String] {
        try events(namespace: pod.namespace).filter {
            $0.involvedObject.kind == "Pod" && $0.involvedObject.name == pod.name && types.contains($0.reason ?? "")
        }.compactMap(\.message)
    }

    func claims() throws -> [PVCList.Claim] {
        if let cachedClaims { return cachedClaims }
        let claims = try kubectl.claims()
        cachedClaims = claims
        return claims
    }

    func storageClasses() throws -> [String] {
        if let cachedClasses { return cachedClasses }
        let classes = try kubectl.storageClasses()
        cachedClasses = classes
        return classes
    }
}
