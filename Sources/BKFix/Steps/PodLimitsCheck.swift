import Foundation

/// Verify `pod-limits`: the release's pods run with the limits the values files (or explicit `cpu`/`memory`)
/// ask for, compared as quantities (`2000m` equals `2`, `4096Mi` equals `4Gi`).
public enum PodLimitsCheck: VerifyKind {
    public static let name = "pod-limits"
    public static let requiredKeys: Set<String> = ["release"]
    public static let optionalKeys: Set<String> = ["namespace", "component", "cpu", "memory"]

    public static func check(_ args: StepArgs, in context: PlanContext) throws -> VerifyResult {
        let releaseName = try args.string("release")
        let component = try args.optionalString("component")
        let explicitCPU = try args.optionalString("cpu")
        let explicitMemory = try args.optionalString("memory")
        let workDir = context.installDir.flatMap {
            try? BlueKingWorkDir.locate(installDir: $0, transport: context.control)
        }
        let release = try? workDir?.release(named: releaseName)
        let namespace = try args.optionalString("namespace") ?? release?.namespace ?? BlueKingWorkDir.defaultNamespace
        func result(_ ok: Bool, _ detail: String) -> VerifyResult {
            VerifyResult(check: name, host: context.control.host, ok: ok, detail: detail)
        }
        var expected: [ComponentLimits]
        if explicitCPU != nil || explicitMemory != nil {
            expected = [ComponentLimits(component: component ?? "", path: [], cpu: explicitCPU, memory: explicitMemory)]
        } else if let workDir, let release {
            expected = try workDir.mergedValues(of: release, transport: context.control).limits
            if let component { expected = expected.filter { $0.component == component } }
        } else {
            return result(
                false, "no expected limits: give cpu/memory, or --install-dir so the values files can be read")
        }
        let pods: [ReleasePod]
        do {
            pods = try ReleasePod.query(release: releaseName, namespace: namespace, in: context)
        } catch {
            return result(false, error.localizedDescription)
        }
        if pods.isEmpty { return result(false, "no pod of \(releaseName) in namespace \(namespace)") }
        var problems: [String] = []
        var checked = 0
        for pod in pods {
            let wanted: ComponentLimits?
            if explicitCPU != nil || explicitMemory != nil {
                wanted = component == nil || expected[0].matches(label: pod.component) ? expected[0] : nil
            } else {
                wanted =
                    expected.first { !$0.component.isEmpty && $0.matches(label: pod.component) }
                    ?? expected.first { $0.component.isEmpty }
            }
            guard let wanted, let container = pod.containers.first else { continue }
            checked += 1
            for (key, want, have) in [("cpu", wanted.cpu, container.cpu), ("memory", wanted.memory, container.memory)] {
                guard let want else { continue }
                if !equalQuantities(want, have) {
                    problems.append("\(pod.name) \(key) \(have ?? "(none)") ≠ \(want)")
                }
            }
        }
        if checked == 0 { return result(false, "no pod of \(releaseName) matches the expected components") }
        return problems.isEmpty
            ? result(true, "\(checked) pod(s) of \(releaseName) run with the expected limits")
            : result(false, problems.joined(separator: "; "))
    }

    private static func equalQuantities(_ a: String, _ b: String?) -> Bool {
        guard let b, let x = try? Quantity(parsing: a), let y = try? Quantity(parsing: b) else { return false }
        return x == y
    }
}
