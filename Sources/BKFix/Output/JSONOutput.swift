import Foundation

/// The JSON documents other tools read (the contract in issue #2): field names here are stable.
public enum JSONOutput {
    /// The plan document, secrets masked, with `masked`: how many values were.
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
        let document: [String: Any] = [
            "playbook": plan.playbook, "cases": plan.cases, "params": plan.params.mapValues(\.jsonObject),
            "noChanges": plan.noChanges, "changes": changes, "notes": plan.notes,
            "summary": PlanRenderer.summary(plan),
            "notUndoable": plan.notUndoable.map { ["host": $0.host, "argv": $0.argv, "risk": $0.risk.rawValue] },
            "verify": plan.verify.map { ["check": $0.kind, "host": $0.host] },
        ]
        return masked(document)
    }

    /// A document with every string masked, plus `masked`: how many masked values it shows.
    public static func masked(_ document: [String: Any]) -> [String: Any] {
        var masker = SecretMasker()
        var out = masker.json(document) as? [String: Any] ?? document
        out["masked"] = masker.count
        return out
    }

    /// One run as `history --json` lists it, with the schedule of a temporary fix (not masked: see `masked`).
    public static func historyEntry(_ r: RunSummary, revert: [String: Any]? = nil) -> [String: Any] {
        var entry: [String: Any] = [:]
        historyFields(r, revert: revert) { entry[$0] = $1.object }
        return entry
    }

    /// The `history --json` document, written run by run: the same bytes as
    /// `serialize(masked(["runs": runs.map(historyEntry)]))`, fast enough for 10,000 runs (`PrettyJSON`).
    public struct HistoryDocument {
        private var json = PrettyJSON(listKey: "runs")
        private var masker = SecretMasker()

        public init() {}

        private static func isOwnField(_ key: String) -> Bool {
            switch key {
            case "commit", "id", "kind", "status", "started", "finished", "rollbackOf", "rolledBackBy": return true
            default: return false
            }
        }

        /// Appends a run, its strings through the one secret masker; `revert` is its temporary fix's schedule.
        public mutating func append(_ run: RunSummary, revert: [String: Any]? = nil) {
            json.appendObject { object in
                historyFields(run, revert: revert) { key, value in
                    // Ids, commit ids, kinds, statuses and times are bkfix's own words: nothing to mask there.
                    if Self.isOwnField(key) { return object.field(key, value) }
                    switch value {
                    case .string(let text): object.field(key, .string(masker.text(text)))
                    case .strings(let list): object.field(key, .strings(list.map { masker.text($0) }))
                    case .object(let nested):
                        object.field(key, .object(masker.json(nested) as? [String: Any] ?? nested))
                    case .fileRefs, .null: object.field(key, value)
                    }
                }
            }
        }

        /// The document's UTF-8 bytes (10,000 runs make 6 MB: no copy into a String), with `masked`: how many
        /// values were masked.
        public consuming func finish() -> [UInt8] { json.finish(leading: [("masked", masker.count)]) }
    }

    /// The fields of one history entry, in key order: the one definition `historyEntry` and `HistoryDocument` share.
    fileprivate static func historyFields(
        _ r: RunSummary, revert: [String: Any]?, _ field: (String, PrettyJSON.Value) -> Void
    ) {
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
        if let revert { field("revert", .object(revert)) }
        field("rollbackOf", r.rollbackOf.map(PrettyJSON.Value.string) ?? .null)
        field("rolledBackBy", r.rolledBackBy.map(PrettyJSON.Value.string) ?? .null)
        field("started", .string(iso(r.started)))
        field("status", .string(r.status.rawValue))
    }

    /// The full record as a JSON object, plus where it lives, secrets masked, with `masked`: how many values were.
    public static func run(_ e: RunEntry) throws -> [String: Any] {
        let data = try RunStore.encoder.encode(e.record)
        var d = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        d["rolledBackBy"] = e.rolledBackBy ?? NSNull()
        d["commit"] = e.commit.oid
        d["case"] = e.record.cases.first ?? NSNull()
        return masked(d)
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
