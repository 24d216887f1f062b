import Foundation

/// `restart-pods`: deletes the release's pods that are in CrashLoopBackOff (narrowed by `selector`), once their
/// cause is fixed, so that their controller recreates them at once instead of after the next back-off. The pods are
/// listed in the plan. Deleting cannot be undone (their controller makes new ones), so it is irreversible and
/// confirmed with the release name; a pod without a controller would not come back and is left alone.
public enum RestartPodsStep: StepKind {
    public static let name = "restart-pods"
    public static let requiredKeys: Set<String> = ["release"]
    public static let optionalKeys: Set<String> = ["namespace", "selector"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let release = try args.string("release")
        let namespace = try args.optionalString("namespace")
        let selector = ControlledPod.selector(release: release, extra: try args.optionalString("selector"))
        let pods = try ControlledPod.query(namespace: namespace, selector: selector, on: context.control)
        let crashing = pods.filter { $0.isCrashLooping && !$0.terminating }
        var notes: [String] = []
        for pod in crashing where pod.controller == nil {
            notes.append(
                context.text(
                    zh: "\(pod.namespace)/\(pod.name) 没有控制器，删除后不会重建，跳过",
                    en: "\(pod.namespace)/\(pod.name) has no controller and would not come back; left alone"))
        }
        let doomed = crashing.filter { $0.controller != nil }
        guard !doomed.isEmpty else {
            let scope = namespace.map { " in \($0)" } ?? ""
            notes.append(
                context.text(
                    zh: "\(selector)\(scope) 没有处于 CrashLoopBackOff 的 pod（共 \(pods.count) 个 pod）",
                    en: "no pod matching \(selector)\(scope) is in CrashLoopBackOff (\(pods.count) pods)"))
            return StepPlan(notes: notes)
        }
        var changes: [Change] = []
        for ns in Array(Set(doomed.map(\.namespace))).sorted() {
            let mine = doomed.filter { $0.namespace == ns }
            for pod in mine {
                notes.append(
                    context.text(
                        zh: "删除 \(ns)/\(pod.name)（CrashLoopBackOff，已重启 \(pod.restarts) 次，由 \(pod.controller!) 重建）",
                        en: "deleting \(ns)/\(pod.name) (CrashLoopBackOff, \(pod.restarts) restarts; "
                            + "\(pod.controller!) recreates it)"))
            }
            changes.append(
                .command(
                    CommandChange(
                        host: context.control.host,
                        argv: ["kubectl", "delete", "pod", "-n", ns] + mine.map(\.name).sorted(), timeout: 180,
                        risk: .irreversible, confirmWord: release,
                        summary: context.text(
                            zh: "删除 \(release) 中 CrashLoopBackOff 的 pod，由控制器重建",
                            en: "delete \(release)'s crash-looping pods; their controllers recreate them"),
                        effect: context.text(
                            zh: "\(release) 的 pod 已被删除并重建", en: "pods of \(release) were deleted and recreated"))))
        }
        return StepPlan(changes: changes, notes: notes)
    }
}
