import Foundation

/// Why a `kubectl ... -o json` document could not be read.
public enum ClusterDataError: LocalizedError, Equatable {
    case malformedJSON(what: String, offset: Int, problem: String)

    public var errorDescription: String? {
        switch self {
        case .malformedJSON(let what, let offset, let problem):
            return "the \(what) JSON from kubectl is malformed at byte \(offset): \(problem)"
        }
    }
}

/// Reads a `kubectl get pods -o json` list straight from its bytes, visiting only the fields diagnosis needs
/// and skipping everything else without building it (Foundation's JSONDecoder is far too slow for 100+ MB).
public enum PodListScanner {
    /// The pods of a `List` (or a single `Pod`), optionally only those in `namespaces`.
    public static func pods(json: String, namespaces: Set<String>? = nil) throws -> [PodSummary] {
        var text = json
        return try text.withUTF8 { try pods(bytes: $0, namespaces: namespaces) }
    }

    public static func pods(bytes: UnsafeBufferPointer<UInt8>, namespaces: Set<String>? = nil) throws -> [PodSummary] {
        var cursor = JSONCursor(bytes)
        var out: [PodSummary] = []
        var isList = false
        var single: PodSummary?
        try cursor.members { cursor, key in
            if key.equals("items") {
                isList = true
                try cursor.elements { cursor in
                    let pod = try readPod(&cursor)
                    if namespaces?.contains(pod.namespace) ?? true { out.append(pod) }
                }
            } else if key.equals("metadata") || key.equals("status") || key.equals("spec") {
                // A single Pod document: read it as one item.
                var pod = single ?? PodSummary(namespace: "", name: "", phase: "")
                try readPodField(&cursor, key, into: &pod)
                single = pod
            } else {
                try cursor.skipValue()
            }
        }
        if !isList, let single, namespaces?.contains(single.namespace) ?? true { out.append(single) }
        return out
    }

    private static func readPod(_ cursor: inout JSONCursor) throws -> PodSummary {
        var pod = PodSummary(namespace: "", name: "", phase: "")
        try cursor.members { cursor, key in try readPodField(&cursor, key, into: &pod) }
        return pod
    }

    private static func readPodField(_ cursor: inout JSONCursor, _ key: JSONKey, into pod: inout PodSummary) throws {
        if key.equals("metadata") {
            try cursor.members { cursor, key in
                if key.equals("name") {
                    pod.name = try cursor.string()
                } else if key.equals("namespace") {
                    pod.namespace = try cursor.string()
                } else if key.equals("labels") {
                    try cursor.members { cursor, key in pod.labels[key.string] = try cursor.string() }
                } else {
                    try cursor.skipValue()
                }
            }
        } else if key.equals("spec") {
            try cursor.members { cursor, key in
                if key.equals("nodeName") {
                    let name = try cursor.string()
                    pod.nodeName = name.isEmpty ? nil : name
                    return
                }
                guard key.equals("volumes") else { return try cursor.skipValue() }
                try cursor.elements { cursor in
                    try cursor.members { cursor, key in
                        guard key.equals("persistentVolumeClaim") else { return try cursor.skipValue() }
                        try cursor.members { cursor, key in
                            if key.equals("claimName") {
                                pod.claims.append(try cursor.string())
                            } else {
                                try cursor.skipValue()
                            }
                        }
                    }
                }
            }
        } else if key.equals("status") {
            try cursor.members { cursor, key in
                if key.equals("phase") {
                    pod.phase = try cursor.string()
                } else if key.equals("hostIP") {
                    let ip = try cursor.string()
                    pod.hostIP = ip.isEmpty ? nil : ip
                } else if key.equals("containerStatuses") {
                    try cursor.elements { cursor in pod.containers.append(try readContainer(&cursor)) }
                } else if key.equals("conditions") {
                    try cursor.elements { cursor in
                        var type = ""
                        var status = ""
                        var message: String?
                        try cursor.members { cursor, key in
                            if key.equals("type") {
                                type = try cursor.string()
                            } else if key.equals("status") {
                                status = try cursor.string()
                            } else if key.equals("message") {
                                message = try cursor.string()
                            } else {
                                try cursor.skipValue()
                            }
                        }
                        if type == "PodScheduled", status == "False" { pod.schedulingMessage = message }
                    }
                } else {
                    try cursor.skipValue()
                }
            }
        } else {
            try cursor.skipValue()
        }
    }

    private static func readContainer(_ cursor: inout JSONCursor) throws -> ContainerSummary {
        var c = ContainerSummary(name: "", ready: false, restartCount: 0)
        try cursor.members { cursor, key in
            if key.equals("name") {
                c.name = try cursor.string()
            } else if key.equals("ready") {
                c.ready = try cursor.bool()
            } else if key.equals("restartCount") {
                c.restartCount = try cursor.int()
            } else if key.equals("state") {
                try cursor.members { cursor, key in
                    guard key.equals("waiting") else { return try cursor.skipValue() }
                    try cursor.members { cursor, key in
                        if key.equals("reason") {
                            c.waitingReason = try cursor.string()
                        } else if key.equals("message") {
                            c.waitingMessage = try cursor.string()
                        } else {
                            try cursor.skipValue()
                        }
                    }
                }
            } else {
                try cursor.skipValue()
            }
        }
        return c
    }
}

extension ClusterDataError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .malformedJSON: return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .malformedJSON: return "cluster"
        }
    }
}
