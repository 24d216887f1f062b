import Foundation

/// A release's revisions as `helm history -o json` lists them, and the decisions BlueKing's guide makes from them
/// (deploy-pod-unready.md): a release stuck in a `pending-*` state is rolled back to the last revision that was
/// deployed, or uninstalled when none ever was.
public struct HelmHistory: Sendable, Equatable {
    public struct Revision: Sendable, Equatable {
        public var revision: Int
        public var updated: String
        public var status: String
        public var chart: String
        public var appVersion: String
        public var description: String
    }

    /// Oldest first.
    public var revisions: [Revision]

    /// Reads the list `helm history -o json` prints (as recorded); `what` names it in errors.
    public init(_ value: KubeValue, what: String) throws {
        guard let items = value.array else { throw KubeValueError.notJSON(what: what, problem: "expected a list") }
        revisions = try items.map { item in
            guard let number = item["revision"]?.int, let status = item["status"]?.string else {
                throw KubeValueError.notJSON(what: what, problem: "a revision without a number or a status")
            }
            return Revision(
                revision: Int(number), updated: item["updated"]?.string ?? "", status: status,
                chart: item["chart"]?.string ?? "", appVersion: item["app_version"]?.string ?? "",
                description: item["description"]?.string ?? "")
        }
        .sorted { $0.revision < $1.revision }
    }

    public var latest: Revision? { revisions.last }

    /// helm refuses any new operation while the latest revision is in one of these states.
    public static func isLocking(_ status: String) -> Bool { status.hasPrefix("pending-") || status == "uninstalling" }

    /// The last revision that was deployed: `deployed`, or `superseded` (deployed, then replaced).
    public var lastDeployed: Revision? {
        revisions.last { $0.status == "deployed" || $0.status == "superseded" }
    }

    /// True when some revision is `deployed` now (what `helm upgrade` starts from).
    public var hasDeployedRevision: Bool { revisions.contains { $0.status == "deployed" } }

    /// The history as helm prints it, one line per revision, for the plan.
    public var table: String {
        let header = ["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"]
        let rows = revisions.map {
            [String($0.revision), $0.updated, $0.status, $0.chart, $0.appVersion, $0.description]
        }
        return ProbeTable.render(header: header, rows: rows).joined(separator: "\n")
    }
}
