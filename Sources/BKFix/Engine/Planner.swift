import Foundation
import Synchronization

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
        let views = PlanningViews(hosts: hosts)
        let controlView = try views.view("control")

        var changes: [Change] = []
        var notes: [String] = []
        var warnings: [String] = []
        var observed: [ObservedFile] = []
        var unreachable: [String: String] = [:]
        for step in playbook.steps {
            guard let kind = StepRegistry.step(named: step.kind) else { throw StepError.unknownKind(step.kind) }
            let args = try substitute(step, values)
            for host in try targets(step, values) where unreachable[host] == nil {
                let transport = try views.view(host)
                var context = PlanContext(
                    host: host, transport: transport, control: controlView, installDir: installDir,
                    language: language, environment: environment)
                context.hostView = { try views.view($0) }
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
                warnings += planned.warnings
                observed += planned.observe.filter { !observed.contains($0) }
                for change in planned.changes {
                    if case .file(let f) = change {
                        guard !f.isNoOp else { continue }
                        // Later steps see this step's planned content, on the host the file is on.
                        try views.view(f.host).overlay(f)
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
        let pins = views.all.flatMap(\.pins).filter { unreachable[$0.host] == nil }
        var plan = Plan(
            playbook: playbook.id, cases: playbook.cases, title: playbook.title, params: params,
            changes: Self.mergeFileChanges(changes), verify: checks, notes: notes, pins: pins)
        plan.queries = views.all.flatMap(\.queries).filter { unreachable[$0.host] == nil }
        if !unreachable.isEmpty { plan.unreachableHosts = unreachable }
        if !warnings.isEmpty { plan.warnings = warnings }
        if !observed.isEmpty { plan.observed = observed }
        plan.revertAfter = playbook.revertAfter
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

/// The planning view of each host a plan reads (one per host, made on first use), so every step of the plan sees
/// the same pins and the content earlier steps planned.
final class PlanningViews: Sendable {
    let hosts: HostDirectory
    private let views = Mutex<[String: PlanningTransport]>([:])

    init(hosts: HostDirectory) { self.hosts = hosts }

    func view(_ host: String) throws -> PlanningTransport {
        if let existing = views.withLock({ $0[host] }) { return existing }
        let created = PlanningTransport(base: try hosts.transport(for: host))
        return views.withLock { all in
            if let existing = all[host] { return existing }
            all[host] = created
            return created
        }
    }

    /// Every view, by host name.
    var all: [PlanningTransport] { views.withLock { all in all.keys.sorted().map { all[$0]! } } }
}
