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
        Dictionary(uniqueKeysWithValues: historyFields(r).map { ($0.key, $0.value.object) })
    }

    /// The `history --json` document, as `serialize(["runs": runs.map(historyEntry)])` would write it, but fast
    /// enough for 10,000 runs (`PrettyJSON`).
    public static func history(_ runs: [RunSummary]) -> String {
        PrettyJSON.document(key: "runs", objects: runs.map(historyFields))
    }

    /// The fields of one history entry, in key order: the one definition `historyEntry` and `history` share.
    private static func historyFields(_ r: RunSummary) -> [(key: String, value: PrettyJSON.Value)] {
        [
            ("case", r.cases.first.map(PrettyJSON.Value.string) ?? .null), ("cases", .strings(r.cases)),
            ("commit", .string(r.commit)),
            ("files", .strings(r.files.map { RunTrailers.fileRef(host: $0.host, path: $0.path) })),
            ("finished", r.finished.map { .string(iso($0)) } ?? .null), ("hosts", .strings(r.hosts)),
            ("id", .string(r.id)), ("kind", .string(r.kind.rawValue)), ("operator", .string(r.operatorName)),
            ("playbook", .string(r.playbook)), ("rollbackOf", r.rollbackOf.map(PrettyJSON.Value.string) ?? .null),
            ("rolledBackBy", r.rolledBackBy.map(PrettyJSON.Value.string) ?? .null),
            ("started", .string(iso(r.started))),
            ("status", .string(r.status.rawValue)),
        ]
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
