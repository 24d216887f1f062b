import Foundation

/// The few facts about a pod that diagnosis needs, read from `kubectl get pods -o json`.
public struct PodSummary: Sendable, Equatable {
    public var namespace: String
    public var name: String
    /// `Pending`, `Running`, `Succeeded`, `Failed` or `Unknown`.
    public var phase: String
    public var labels: [String: String]
    public var containers: [ContainerSummary]
    /// Claim names of the pod's PersistentVolumeClaim volumes.
    public var claims: [String]
    /// The message of a false `PodScheduled` condition (why the scheduler refuses it).
    public var schedulingMessage: String?
    /// The node it runs on (`spec.nodeName`) and that node's IP (`status.hostIP`); nil while it is not scheduled.
    public var nodeName: String?
    public var hostIP: String?

    public init(
        namespace: String, name: String, phase: String, labels: [String: String] = [:],
        containers: [ContainerSummary] = [], claims: [String] = [], schedulingMessage: String? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.phase = phase
        self.labels = labels
        self.containers = containers
        self.claims = claims
        self.schedulingMessage = schedulingMessage
    }

    public var readyCount: Int { containers.filter(\.ready).count }
    public var restarts: Int { containers.map(\.restartCount).reduce(0, +) }
    /// Not Ready as `kubectl get pod` shows it: completed pods are fine, anything else needs every container ready.
    public var isNotReady: Bool {
        if phase == "Succeeded" { return false }
        return containers.isEmpty || readyCount < containers.count
    }

    /// The helm release the pod belongs to (`app.kubernetes.io/instance`, else the older `release` label).
    public var release: String? { labels["app.kubernetes.io/instance"] ?? labels["release"] }
    public var component: String? { labels["app.kubernetes.io/component"] ?? labels["component"] }
    /// The first waiting reason of any container (`CrashLoopBackOff`, `ImagePullBackOff` ...).
    public var waitingReason: String? { containers.compactMap(\.waitingReason).first }
}

/// One container's status.
public struct ContainerSummary: Sendable, Equatable {
    public var name: String
    public var ready: Bool
    public var restartCount: Int
    public var waitingReason: String?
    public var waitingMessage: String?

    public init(
        name: String, ready: Bool, restartCount: Int, waitingReason: String? = nil, waitingMessage: String? = nil
    ) {
        self.name = name
        self.ready = ready
        self.restartCount = restartCount
        self.waitingReason = waitingReason
        self.waitingMessage = waitingMessage
    }
}
