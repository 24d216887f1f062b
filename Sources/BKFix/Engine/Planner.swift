import Foundation

/// Turns a playbook and its parameters into a concrete `Plan` by asking each step kind, host by host, what it would
/// change. It only reads.
public struct Planner: Sendable {
    public var hosts: HostDirectory
    public var installDir: String?
    public var language: Language
    public var environment: [String: String]
    /// A node that cannot be reached is left out of the plan (and reported) instead of failing it.
    public var keepGoing = false

    public init(hosts: HostDirectory, installDir: String?, language: Language, environment: [String: String]) {
        self.hosts = hosts
        self.installDir = installDir
        self.language = language
        self.environment = environment
    }

    /// The values a playbook's templates can use: its parameters plus the built-ins.
    public func templateValues(_ params: [String: ArgValue]) -> [String: ArgValue] {
        var values = params
        if let installDir {
            values["installDir"] = .string(installDir)
            values["workDir"] = .string((installDir as NSString).appendingPathComponent("blueking"))
        }
        return values
    }

    public func plan(_ playbook: Playbook, params: [String: ArgValue]) throws -> Plan {
        let values = templateValues(params)
        let controlView = PlanningTransport(base: hosts.control)
        var views: [String: PlanningTransport] = ["control": controlView]
        func view(_ host: String) throws -> PlanningTransport {
            if let v = views[host] { return v }
            let v = PlanningTransport(base: try hosts.transport(for: host))
            views[host] = v
            return v
        }

        var changes: [Change] = []
        var notes: [String] = []
        var unreachable: [String: String] = [:]
        for step in playbook.steps {
            guard let kind = StepRegistry.step(named: step.kind) else { throw StepError.unknownKind(step.kind) }
            let args = try substitute(step, values)
            for host in try targets(step, values) where unreachable[host] == nil {
                let transport = try view(host)
                let context = PlanContext(
                    host: host, transport: transport, control: controlView, installDir: installDir,
                    language: language, environment: environment)
                let planned: StepPlan
                do {
                    planned = try kind.plan(args, in: context)
                } catch let error as SSHTransportError where keepGoing {
                    guard case .unreachable = error else { throw error }
                    unreachable[host] = error.localizedDescription
                    notes.append(error.localizedDescription)
                    continue
                }
                notes += planned.notes
                for change in planned.changes {
                    if case .file(let f) = change {
                        guard !f.isNoOp else { continue }
                        transport.overlay(f)
                    }
                    changes.append(change)
                }
            }
        }

        var checks: [PlannedCheck] = []
        for check in playbook.verify {
            let args = try substitute(check, values)
            for host in try targets(check, values) where unreachable[host] == nil {
                checks.append(PlannedCheck(kind: check.kind, host: host, args: args.values))
            }
        }
        let pins = views.keys.sorted().flatMap { views[$0]!.pins }.filter { unreachable[$0.host] == nil }
        var plan = Plan(
            playbook: playbook.id, cases: playbook.cases, title: playbook.title, params: params,
            changes: Self.mergeFileChanges(changes), verify: checks, notes: notes, pins: pins)
        plan.queries = views.keys.sorted().flatMap { views[$0]!.queries }.filter { unreachable[$0.host] == nil }
        if !unreachable.isEmpty { plan.unreachableHosts = unreachable }
        return plan
    }

    private func substitute(_ step: StepSpec, _ values: [String: ArgValue]) throws -> StepArgs {
        var out: [String: ArgValue] = [:]
        for (k, v) in step.args {
            if let s = try Template.substitute(v, values) { out[k] = s }
        }
        return StepArgs(kind: step.kind, values: out)
    }

    private func targets(_ step: StepSpec, _ values: [String: ArgValue]) throws -> [String] {
        guard let on = step.on, let resolved = try Template.substitute(on, values), let list = resolved.stringList
        else {
            return ["control"]
        }
        return try hosts.expand(list)
    }

    /// Several steps editing one file become one change: first before, last after.
    static func mergeFileChanges(_ changes: [Change]) -> [Change] {
        var out: [Change] = []
        var index: [String: Int] = [:]
        for change in changes {
            guard case .file(let f) = change else {
                out.append(change)
                continue
            }
            let key = f.host + "\u{0}" + f.path
            if let i = index[key], case .file(var merged) = out[i] {
                merged.after = f.after
                merged.afterMeta = f.afterMeta
                merged.notes += f.notes
                out[i] = .file(merged)
            } else {
                index[key] = out.count
                out.append(change)
            }
        }
        return out.filter { if case .file(let f) = $0 { !f.isNoOp } else { true } }
    }
}
