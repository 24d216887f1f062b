import Foundation

/// Verify `pods-ready`: every pod of the release (narrowed by `selector`) is Ready, none is crash-looping or still
/// terminating, and there is at least one. Pods need time to be recreated and start, so it asks again every three
/// seconds for up to `timeout` seconds (default 300).
public enum PodsReadyCheck: VerifyKind {
    public static let name = "pods-ready"
    public static let requiredKeys: Set<String> = ["release"]
    public static let optionalKeys: Set<String> = ["namespace", "selector", "timeout"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let release = try args.string("release")
        let namespace = try args.optionalString("namespace")
        let selector = ControlledPod.selector(release: release, extra: try args.optionalString("selector"))
        let timeout = try args.double("timeout", default: 300)
        let deadline = Date().addingTimeInterval(max(0, timeout))
        while true {
            let problems: [String]
            let pods: [ControlledPod]
            do {
                pods = try ControlledPod.query(namespace: namespace, selector: selector, on: context.control)
                    .filter { $0.phase != "Succeeded" }
                problems =
                    pods.isEmpty
                    ? ["no pod matches \(selector) yet"]
                    : pods.filter { !$0.ready || $0.terminating }.map {
                        "\($0.namespace)/\($0.name) "
                            + ($0.terminating ? "terminating" : $0.waitingReason ?? "\($0.phase), not ready")
                    }
            } catch {
                problems = [error.localizedDescription]
                pods = []
            }
            if problems.isEmpty {
                return VerifyResult(
                    check: name, host: context.control.host, ok: true,
                    detail: "\(pods.count) pod(s) of \(release) Ready: "
                        + pods.map(\.name).sorted().joined(separator: ", "))
            }
            if Date() >= deadline {
                return VerifyResult(
                    check: name, host: context.control.host, ok: false,
                    detail: "not Ready within \(Int(timeout)) s: " + problems.joined(separator: "; "))
            }
            Thread.sleep(forTimeInterval: min(3, max(0.1, deadline.timeIntervalSinceNow)))
        }
    }
}
