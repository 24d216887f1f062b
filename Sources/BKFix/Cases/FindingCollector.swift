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

    private struct CaseState {
        var caseID: String
        var weights: [String: Double] = [:]
        var evidence: [Evidence] = []
        var params: [String: String] = [:]
        var firstLine = Int.max
        var lastPrimaryLine: Int?
        var pendingSupport: [Match] = []
    }

    /// Keyed by case id and group: text findings use one group, live ones one group per release.
    private var states: [String: CaseState] = [:]

    private static func key(_ id: String, _ group: String) -> String { group.isEmpty ? id : id + "\u{1F}" + group }

    /// How many case/group pairs have a primary match so far.
    var caseCount: Int { states.values.filter { $0.lastPrimaryLine != nil }.count }

    /// Records a primary (case-defining) match.
    mutating func primary(
        case id: String, group: String = "", rule: String, weight: Double, line: Int?, text: String,
        params: [String: String]
    ) {
        let key = Self.key(id, group)
        var state = states[key] ?? CaseState(caseID: id)
        let here = line ?? 0
        apply(Match(rule: rule, weight: weight, line: line, text: text, params: params), to: &state)
        for support in state.pendingSupport.reversed() where here - (support.line ?? 0) <= Self.window {
            apply(support, to: &state)
        }
        state.pendingSupport = []
        state.lastPrimaryLine = here
        state.firstLine = min(state.firstLine, here)
        states[key] = state
    }

    /// Records a supporting match: kept aside until a primary match of the same case comes near it.
    mutating func supporting(
        case id: String, group: String = "", rule: String, weight: Double, line: Int?, text: String,
        params: [String: String]
    ) {
        let key = Self.key(id, group)
        var state = states[key] ?? CaseState(caseID: id)
        let line = line ?? 0
        let match = Match(rule: rule, weight: weight, line: line == 0 ? nil : line, text: text, params: params)
        if let last = state.lastPrimaryLine, line - last <= Self.window {
            apply(match, to: &state)
        } else {
            state.pendingSupport.removeAll { line - ($0.line ?? 0) > Self.window }
            if state.pendingSupport.count >= 8 { state.pendingSupport.removeFirst() }
            state.pendingSupport.append(match)
        }
        states[key] = state
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

    /// The findings, most likely first; cases without a primary match are dropped.
    func findings(catalog: CaseCatalog, language: Language) -> [Finding] {
        var out: [(Finding, Int)] = []
        for state in states.values where state.lastPrimaryLine != nil {
            let id = state.caseID
            guard let def = catalog.definition(id) else { continue }
            let miss = state.weights.values.reduce(1.0) { $0 * (1 - $1) }
            let confidence = Finding.rounded(1 - miss)
            let evidence = state.evidence.sorted { ($0.line ?? Int.max) < ($1.line ?? Int.max) }
            let finding = Finding(
                caseID: id, confidence: min(0.99, confidence), evidence: evidence, playbooks: def.playbooks,
                params: def.derive.map { names in state.params.filter { names.contains($0.key) } } ?? state.params,
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
