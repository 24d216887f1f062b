import Foundation

/// The `resources.limits` of one component of a release (`master`, `data` ...; empty for the chart root).
public struct ComponentLimits: Sendable, Equatable {
    public var component: String
    /// Key path of the component in the values (`[]` for the chart root).
    public var path: [String]
    public var cpu: String?
    public var memory: String?

    public init(component: String, path: [String], cpu: String? = nil, memory: String? = nil) {
        self.component = component
        self.path = path
        self.cpu = cpu
        self.memory = memory
    }

    /// Components with `resources.limits` in merged values: the root and each top-level key.
    static func find(in values: YAMLValueTree) -> [ComponentLimits] {
        var result: [ComponentLimits] = []
        func add(_ component: String, _ path: [String]) {
            guard case .mapping = values.value(at: path + ["resources", "limits"]) else { return }
            let cpu = values.scalar(at: path + ["resources", "limits", "cpu"])
            let memory = values.scalar(at: path + ["resources", "limits", "memory"])
            result.append(
                ComponentLimits(
                    component: component, path: path, cpu: cpu.flatMap(Self.literal),
                    memory: memory.flatMap(Self.literal)))
        }
        add("", [])
        for key in values.keys where key != "resources" && !YAMLTemplateMask.containsToken(key) { add(key, [key]) }
        return result
    }

    /// A limit that is a real value, not a masked template.
    private static func literal(_ value: String) -> String? {
        YAMLTemplateMask.containsToken(value) || value.isEmpty ? nil : value
    }

    /// True when a pod's `app.kubernetes.io/component` label names this component (`coordinating-only` → `coordinating`).
    func matches(label: String?) -> Bool {
        guard let label else { return component.isEmpty }
        return label == component || label.hasPrefix(component + "-") || component.hasPrefix(label + "-")
    }
}
