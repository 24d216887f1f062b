import Foundation
import Synchronization

/// Turns a playbook and its parameters into a concrete `Plan` by asking each step kind, for each of its hosts, what it
/// would change. It only reads.
public struct Planner: Sendable {
    public var hosts: HostDirectory
    public var installDir: String?
    public var language: Language
    public var environment: [String: String]
    /// A node that cannot be reached is left out of the plan (and reported) instead of failing it.
    public var keepGoing = false
    /// How many nodes plan at once (`--forks`).
    public var forks = 10

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

    /// Plans step by step, and within a step the nodes concurrently (`forks` at a time): first one round trip per
    /// node reads every path the playbook's steps name (ReadAhead), then each step plans every host of it from that
    /// snapshot. The plan is the one planning host after host would give: changes, notes, pins and queries are put
    /// together in step and host order, whatever order the hosts finished in; the control machine (and any other
    /// host that is not a node) plans alone, in its place.
    public func plan(_ playbook: Playbook, params: [String: ArgValue]) throws -> Plan {
        let values = templateValues(params)
        let views = PlanningViews(hosts: hosts)
        let controlView = try views.view("control")
        // Each step once: its kind, arguments and hosts, or the error planning it would raise (raised in its turn).
        let steps: [Result<(kind: any StepKind.Type, args: StepArgs, hosts: [String]), any Error>] =
            playbook.steps.map { step in
                Result {
                    guard let kind = StepRegistry.step(named: step.kind) else {
                        throw StepError.unknownKind(step.kind)
                    }
                    return (kind, try substitute(step, values), try targets(step, values))
                }
            }
        var readFailures = prefetch(steps.compactMap { try? $0.get() }.map { ($0.args, $0.hosts) }, into: views)

        var changes: [Change] = []
        var notes: [String] = []
        var warnings: [String] = []
        var observed: [ObservedFile] = []
        var unreachable: [String: String] = [:]
        for step in steps {
            let (kind, args, targets) = try step.get()
            let live = targets.filter { unreachable[$0] == nil }
            for group in concurrentGroups(live) {
                let outcomes: [Result<StepPlan, any Error>]
                if group.count == 1 {
                    let host = group[0]
                    outcomes = [
                        readFailures.removeValue(forKey: host).map { .failure($0) }
                            ?? Result { try planStep(kind, args, host: host, views: views, control: controlView) }
                    ]
                } else {
                    let forked = group.map { _ in controlView.fork() }
                    let jobs = group.map { host in (host, readFailures.removeValue(forKey: host)) }
                    let pool = HostPool(width: forks).map(
                        group.count, keepGoing ? .sliding : .windows, stop: HostPool.failed
                    ) { i -> Result<StepPlan, any Error> in
                        let (host, failed) = jobs[i]
                        if let failed { return .failure(failed) }
                        return Result { try planStep(kind, args, host: host, views: views, control: forked[i]) }
                    }
                    for fork in forked { controlView.absorb(fork) }
                    outcomes = pool.compactMap { $0 }
                }
                for (host, outcome) in zip(group, outcomes) {
                    let planned: StepPlan
                    do {
                        planned = try outcome.get()
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

    /// One step on one host; `control` is the control machine's view this host reads through (its own fork while
    /// nodes plan at once).
    private func planStep(
        _ kind: any StepKind.Type, _ args: StepArgs, host: String, views: PlanningViews, control: PlanningTransport
    ) throws -> StepPlan {
        var context = PlanContext(
            host: host, transport: try views.view(host), control: control, installDir: installDir,
            language: language, environment: environment)
        context.hostView = { $0 == "control" ? control : try views.view($0) }
        return try kind.plan(args, in: context)
    }

    /// Reads, for every node the steps run on, every path they name, in one round trip per node (nodes at once),
    /// and makes the node's planning view answer from it. A node whose read fails gets its error back when its first
    /// step plans, in that step's turn, as if that step's own first read had failed.
    private func prefetch(
        _ steps: [(args: StepArgs, hosts: [String])], into views: PlanningViews
    ) -> [String: any Error] {
        let pairs = steps.flatMap { step in step.hosts.flatMap { host in ReadAhead.paths(step.args).map { (host, $0) } }
        }
        let reads = NodeReads(pairs, hosts: hosts)
        let fetched = reads.inspections(width: forks, keepGoing ? .sliding : .windows)
        var failures: [String: any Error] = [:]
        for (node, outcome) in zip(reads.nodes, fetched) {
            switch outcome {
            case .success(let snapshot)?:
                views.install(
                    node.host, PlanningTransport(base: PrefetchedTransport(base: node.transport, snapshot: snapshot)))
            case .failure(let error)?: failures[node.host] = error
            case nil: break
            }
        }
        return failures
    }

    /// The hosts of a step in runs that may plan at once: consecutive nodes (batching transports) together, any
    /// other host alone.
    private func concurrentGroups(_ hosts: [String]) -> [[String]] {
        var groups: [[String]] = []
        var nodes: [String] = []
        for host in hosts {
            if self.hosts.batchingTransport(for: host) != nil {
                nodes.append(host)
                continue
            }
            if !nodes.isEmpty { groups.append(nodes) }
            nodes = []
            groups.append([host])
        }
        if !nodes.isEmpty { groups.append(nodes) }
        return groups
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

    /// Makes `view` the one of `host` (a node's view answering from what was read ahead), before any step plans.
    func install(_ host: String, _ view: PlanningTransport) {
        views.withLock { $0[host] = view }
    }

    /// Every view, by host name.
    var all: [PlanningTransport] { views.withLock { all in all.keys.sorted().map { all[$0]! } } }
}
