import Foundation

/// The JSON documents other tools read (the contract in issue #2): field names here are stable.
public enum JSONOutput {
    public static func plan(_ plan: Plan) -> [String: Any] {
        let changes: [[String: Any]] = plan.changes.map { change in
            switch change {
            case .file(let f):
                return [
                    "host": f.host, "type": "file", "path": f.path, "op": f.operation.rawValue,
                    "diff": PlanRenderer.diff(f, color: false), "notes": f.notes,
                ]
            case .command(let c):
                var d: [String: Any] = [
                    "host": c.host, "type": "command", "argv": c.argv, "risk": c.risk.rawValue,
                    "undo": c.undo.map(\.argv),
                ]
                if let w = c.workdir { d["workdir"] = w }
                return d
            }
        }
        return [
            "playbook": plan.playbook, "cases": plan.cases, "params": plan.params.mapValues(\.jsonObject),
            "noChanges": plan.noChanges, "changes": changes, "notes": plan.notes,
            "summary": PlanRenderer.summary(plan),
            "notUndoable": plan.notUndoable.map { ["host": $0.host, "argv": $0.argv, "risk": $0.risk.rawValue] },
            "verify": plan.verify.map { ["check": $0.kind, "host": $0.host] },
        ]
    }

    public static func historyEntry(_ r: RunSummary) -> [String: Any] {
        var entry: [String: Any] = [:]
        historyFields(r) { entry[$0] = $1.object }
        return entry
    }

    /// The `history --json` document, written run by run: the same bytes as
    /// `serialize(["runs": runs.map(historyEntry)])`, fast enough for 10,000 runs (`PrettyJSON`).
    public struct HistoryDocument {
        private var json = PrettyJSON(listKey: "runs")

        public init() {}

        public mutating func append(_ run: RunSummary) {
            json.appendObject { object in historyFields(run) { object.field($0, $1) } }
        }

        /// The document's UTF-8 bytes (10,000 runs make 6 MB: no copy into a String).
        public consuming func finish() -> [UInt8] { json.finish() }
    }

    /// The fields of one history entry, in key order: the one definition `historyEntry` and `HistoryDocument` share.
    fileprivate static func historyFields(_ r: RunSummary, _ field: (String, PrettyJSON.Value) -> Void) {
        field("case", r.cases.first.map(PrettyJSON.Value.string) ?? .null)
        field("cases", .strings(r.cases))
        field("commit", .string(r.commit))
        field("files", .fileRefs(r.files))
        field("finished", r.finished.map { .string(iso($0)) } ?? .null)
        field("hosts", .strings(r.hosts))
        field("id", .string(r.id))
        field("kind", .string(r.kind.rawValue))
        field("operator", .string(r.operatorName))
        field("playbook", .string(r.playbook))
        field("rollbackOf", r.rollbackOf.map(PrettyJSON.Value.string) ?? .null)
        field("rolledBackBy", r.rolledBackBy.map(PrettyJSON.Value.string) ?? .null)
        field("started", .string(iso(r.started)))
        field("status", .string(r.status.rawValue))
    }

    /// The full record as a JSON object, plus where it lives.
    public static func run(_ e: RunEntry) throws -> [String: Any] {
        let data = try RunStore.encoder.encode(e.record)
        var d = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        d["rolledBackBy"] = e.rolledBackBy ?? NSNull()
        d["commit"] = e.commit.oid
        d["case"] = e.record.cases.first ?? NSNull()
        return d
    }

    public static func error(code: String, message: String) -> [String: Any] {
        ["error": ["code": code, "message": message]]
    }

    /// `2026-11-26T19:15:00Z` (whole seconds, UTC).
    public static func iso(_ d: Date) -> String { RunTrailers.isoSeconds(d) }

    /// Serialises with sorted keys and no escaped slashes, one document, trailing newline.
    public static func serialize(_ object: Any) -> String {
        let data =
            (try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
