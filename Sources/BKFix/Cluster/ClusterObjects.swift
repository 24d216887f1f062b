import Foundation

/// `kubectl get events -o json`: only what names a pod or PVC and says what happened.
public struct EventList: Decodable, Sendable {
    public var items: [Event]

    public struct Event: Decodable, Sendable, Equatable {
        public var involvedObject: ObjectReference
        public var reason: String?
        public var message: String?
        public var type: String?
        public var count: Int?
    }

    public struct ObjectReference: Decodable, Sendable, Equatable {
        public var kind: String?
        public var name: String?
        public var namespace: String?
    }
}

/// `kubectl get pvc -A -o json`.
public struct PVCList: Decodable, Sendable {
    public var items: [Claim]

    public struct Claim: Decodable, Sendable, Equatable {
        public var metadata: Metadata
        public var spec: Spec?
        public var status: Status?

        public struct Spec: Decodable, Sendable, Equatable {
            public var storageClassName: String?
            public var volumeName: String?
            public var resources: Resources?
        }

        public struct Resources: Decodable, Sendable, Equatable {
            public var requests: [String: String]?
        }

        public struct Status: Decodable, Sendable, Equatable {
            public var phase: String?
            public var capacity: [String: String]?
        }

        public var isBound: Bool { status?.phase == "Bound" }

        /// Its size: the bound volume's capacity, else what it requests.
        public var size: String? { status?.capacity?["storage"] ?? spec?.resources?.requests?["storage"] }
    }
}

/// `kubectl get sc -o json` and other lists where only names matter.
public struct NamedList: Decodable, Sendable {
    public var items: [Named]

    public struct Named: Decodable, Sendable, Equatable {
        public var metadata: Metadata
    }
}

/// `kubectl get nodes -o json`: names and internal addresses (the IPs that node playbooks target).
public struct NodeList: Decodable, Sendable {
    public var items: [Node]

    public struct Node: Decodable, Sendable, Equatable {
        public var metadata: Metadata
        public var status: Status?

        public struct Status: Decodable, Sendable, Equatable {
            public var addresses: [Address]?
        }

        public struct Address: Decodable, Sendable, Equatable {
            public var type: String
            public var address: String
        }

        public var internalIP: String? { status?.addresses?.first { $0.type == "InternalIP" }?.address }
    }
}

/// The name and namespace every Kubernetes object has.
public struct Metadata: Decodable, Sendable, Equatable {
    public var name: String
    public var namespace: String?
}
