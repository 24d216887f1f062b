import Foundation

/// Gathers rule matches per case while input streams by, then turns them into ranked findings.
///
/// A supporting match counts only within `window` lines of a primary match of the same case (before or after),
/// so a `Release "x" does not exist` line of a release that installed fine never names the release that failed.
struct FindingCollector {
    static let window = 30
    static let maxEvidence = 12

    private struct Match {
        var rule: String
        var weight: Double
        var line: Int?
        var text: String
        var params: [String: String]
    }

    /// The best context fact so far for one param of a case: strongest first, then nearest to its evidence.
    private struct ContextChoice {
        var value: String
        var strength: ContextFact.Strength
        var distance: Int
    }

    private struct CaseState {
        var caseID: String
        var weights: [String: Double] = [:]
        var evidence: [Evidence] = []
        var params: [String: String] = [:]
        var firstLine = Int.max
        var lastPrimaryLine: Int?
        var pendingSupport: [Match] = []
        var context: [String: ContextChoice] = [:]

        mutating func consider(_ fact: ContextFact, near line: Int) {
            let distance = abs(fact.line - line)
            guard distance <= fact.reach else { return }
            if let current = context[fact.name],
                current.strength > fact.strength || (current.strength == fact.strength && current.distance <= distance)
            {
                return
            }
            context[fact.name] = ContextChoice(value: fact.value, strength: fact.strength, distance: distance)
        }
    }

    /// Text findings use one group per case, live ones one group per release; `index` finds a case/group's state.
    private var states: [CaseState] = []
    private var index: [String: Int] = [:]
    /// Context facts of the last `ContextFact.maxReach` lines, one per name, value and strength.
    private var recentFacts: [ContextFact] = []
    /// Every release the text names, in order (for mapping pod names to releases).
    private(set) var releasesInText: [String] = []
    private var releasesSeen: Set<String> = []

    private static func key(_ id: String, _ group: String) -> String { group.isEmpty ? id : id + "\u{1F}" + group }

    private mutating func stateIndex(_ id: String, _ group: String) -> Int {
        let key = Self.key(id, group)
        if let existing = index[key] { return existing }
        states.append(CaseState(caseID: id))
        index[key] = states.count - 1
        return states.count - 1
    }

    /// How many case/group pairs have a primary match so far.
    var caseCount: Int { states.filter { $0.lastPrimaryLine != nil }.count }

    /// Records a context fact: offered to the cases whose evidence is near, and kept for those still to come.
    mutating func fact(_ fact: ContextFact) {
        if fact.name == "release", releasesSeen.count < 512, releasesSeen.insert(fact.value).inserted {
            releasesInText.append(fact.value)
        }
        if let same = recentFacts.firstIndex(where: {
            $0.name == fact.name && $0.strength == fact.strength && $0.value == fact.value
        }) {
            recentFacts[same].line = fact.line
        } else {
            recentFacts.append(fact)
        }
        if recentFacts.count > 16 { recentFacts.removeAll { fact.line - $0.line > ContextFact.maxReach } }
        for i in states.indices {
            guard let last = states[i].lastPrimaryLine, fact.line - last <= ContextFact.maxReach else { continue }
            states[i].consider(fact, near: last)
        }
    }

    /// Records a primary (case-defining) match.
    mutating func primary(
        case id: String, group: String = "", rule: String, weight: Double, line: Int?, text: String,
        params: [String: String]
    ) {
        let at = stateIndex(id, group)
        var state = states[at]
        let here = line ?? 0
        apply(Match(rule: rule, weight: weight, line: line, text: text, params: params), to: &state)
        for support in state.pendingSupport.reversed() where here - (support.line ?? 0) <= Self.window {
            apply(support, to: &state)
        }
        if line != nil {
            for fact in recentFacts { state.consider(fact, near: here) }
        }
        state.pendingSupport = []
        state.lastPrimaryLine = here
        state.firstLine = min(state.firstLine, here)
        states[at] = state
    }

    /// Records a supporting match: kept aside until a primary match of the same case comes near it.
    mutating func supporting(
        case id: String, group: String = "", rule: String, weight: Double, line: Int?, text: String,
        params: [String: String]
    ) {
        let at = stateIndex(id, group)
        var state = states[at]
        let line = line ?? 0
        let match = Match(rule: rule, weight: weight, line: line == 0 ? nil : line, text: text, params: params)
        if let last = state.lastPrimaryLine, line - last <= Self.window {
            apply(match, to: &state)
        } else {
            state.pendingSupport.removeAll { line - ($0.line ?? 0) > Self.window }
            if state.pendingSupport.count >= 8 { state.pendingSupport.removeFirst() }
            state.pendingSupport.append(match)
        }
        states[at] = state
    }

    private func apply(_ match: Match, to state: inout CaseState) {
        state.weights[match.rule] = max(state.weights[match.rule] ?? 0, match.weight)
        for (name, value) in match.params where state.params[name] == nil { state.params[name] = value }
        if !match.text.isEmpty, state.evidence.count < Self.maxEvidence,
            !state.evidence.contains(where: { $0.line == match.line && $0.text == match.text })
        {
            state.evidence.append(Evidence(line: match.line, text: match.text))
        }
    }

    /// The findings, most likely first; cases without a primary match are dropped. Params the case's own rules did
    /// not capture are derived (`ParamDerivation`) from the context facts near its evidence and `releases`.
    func findings(catalog: CaseCatalog, language: Language, releases: KnownReleases = KnownReleases())
        -> [Finding]
    {
        // Releases the rules themselves named (`"bk-paas" has no deployed releases`, bk-ci's fixed param) name pods too.
        let captured = states.compactMap { $0.lastPrimaryLine == nil ? nil : $0.params["release"] }
        let derivation = ParamDerivation(releases: releases, namedInText: releasesInText + captured)
        var out: [(Finding, Int)] = []
        for state in states where state.lastPrimaryLine != nil {
            let id = state.caseID
            guard let def = catalog.definition(id) else { continue }
            let miss = state.weights.values.reduce(1.0) { $0 * (1 - $1) }
            let confidence = Finding.rounded(1 - miss)
            let evidence = state.evidence.sorted { ($0.line ?? Int.max) < ($1.line ?? Int.max) }
            let params = derivation.complete(
                state.params, context: state.context.mapValues(\.value), wanted: def.context)
            let finding = Finding(
                caseID: id, confidence: min(0.99, confidence), evidence: evidence, playbooks: def.playbooks,
                params: def.derive.map { names in params.filter { names.contains($0.key) } } ?? params,
                title: def.title.text(language), explanation: def.explanation.text(language),
                nextStep: def.nextStep.text(language))
            out.append((finding, state.firstLine))
        }
        return out.sorted {
            if $0.0.confidence != $1.0.confidence { return $0.0.confidence > $1.0.confidence }
            if $0.1 != $1.1 { return $0.1 < $1.1 }
            if $0.0.caseID != $1.0.caseID { return $0.0.caseID < $1.0.caseID }
            return ($0.0.params["release"] ?? "") < ($1.0.params["release"] ?? "")
        }.map(\.0)
    }
}
