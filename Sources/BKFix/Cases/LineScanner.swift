import Foundation

/// A text rule with the case it belongs to.
struct ScanRule {
    let caseID: String
    let key: String
    let rule: TextRule
    /// The case takes params from the text around its evidence (`context:`), so a primary match of this rule opens
    /// a context window.
    var takesContext = false
}

/// The literals of a catalogue, in two automata. `lines` finds the lines worth a look in a whole chunk: those with a
/// rule's key literal, or an escape byte (an escape sequence may split a literal, so such a line is normalized
/// first). `words` runs over one normalized line and says what each hit announces: a rule that may match, or a
/// context fact (`ContextReader`), read only near the evidence of a case that takes context.
struct ScanPatterns: Sendable {
    enum Role: Sendable {
        case rule(Int)
        case context(ContextReader.Trigger)
    }

    let lines: LiteralAutomaton
    let words: LiteralTrie
    /// What each pattern of `words` announces.
    let roles: [[Role]]
    /// Rules without any literal: every line is a candidate for them.
    let unfilteredRules: [Int]

    init(rules: [ScanRule]) {
        var byLiteral: [[UInt8]: [Role]] = [:]
        var order: [[UInt8]] = []
        func add(_ literal: [UInt8], _ role: Role) {
            if byLiteral[literal] == nil { order.append(literal) }
            byLiteral[literal, default: []].append(role)
        }
        var unfiltered: [Int] = []
        var keys: Set<[UInt8]> = [[0x1B]]
        for (index, scanRule) in rules.enumerated() {
            let key = Self.key(of: scanRule.rule)
            if key.isEmpty { unfiltered.append(index) }
            for literal in key {
                add(literal, .rule(index))
                keys.insert(literal)
            }
        }
        for (literal, trigger) in ContextReader.triggerLiterals { add(Array(literal.utf8), .context(trigger)) }
        lines = LiteralAutomaton(patterns: keys.sorted { $0.lexicographicallyPrecedes($1) })
        words = LiteralTrie(patterns: order)
        roles = order.map { byLiteral[$0]! }
        unfilteredRules = unfiltered
    }

    /// The literals that make a line a candidate for `rule`: of the choices (any one required literal, or the whole
    /// `literal:` list), the one whose shortest literal is longest, since longer literals are rarer in real logs
    /// (`helmfile` is on every line of a helmfile log, `command not found` is not).
    static func key(of rule: TextRule) -> [[UInt8]] {
        var choices = rule.requiredLiterals.map { [$0] }
        if !rule.anyLiterals.isEmpty { choices.append(rule.anyLiterals) }
        return choices.max { a, b in
            (a.map(\.count).min() ?? 0) < (b.map(\.count).min() ?? 0)
        } ?? []
    }
}

/// Applies every rule and the context reader to normalized lines: the `words` automaton says which rules may match
/// and which context facts a line may state; a rule's other literals are checked next and its regex runs last.
struct LineScanner {
    let rules: [ScanRule]
    let patterns: ScanPatterns
    var collector = FindingCollector()
    private var context = ContextReader()
    private var scratch: [UInt8] = []
    private var ruleSeen: [Bool]
    private var candidates: [Int] = []
    private var hits: [Int] = []

    init(rules: [ScanRule]) {
        self.rules = rules
        self.patterns = ScanPatterns(rules: rules)
        self.ruleSeen = Array(repeating: false, count: rules.count)
    }

    /// True while the context reader is inside a table or an `ARGS:` block.
    var readsContextBlock: Bool { context.isReadingBlock }

    /// Forgets an open context block (the next lines read are not the ones after the last line read).
    mutating func restartContext() { context = ContextReader() }

    /// Scans line `number` of the input: its rules when `rules`, its context facts when `context`. True when a rule
    /// of a case that takes context matched as primary evidence (the lines around it are worth reading for context).
    @discardableResult
    mutating func scan(raw: UnsafeBufferPointer<UInt8>, number: Int, rules matchRules: Bool = true, context: Bool)
        -> Bool
    {
        var scratch = self.scratch
        self.scratch = []
        defer { self.scratch = scratch }
        return TextNormalizer.withNormalized(raw, scratch: &scratch) { normalized in
            process(
                normalized.bytes, number: number, rules: matchRules, context: context, label: nil, group: "",
                params: [:])
        }
    }

    /// Matches one fact read from the cluster (an event message, a log line); evidence carries `label`, no line number.
    mutating func scanFact(_ fact: String, label: String, group: String, context: [String: String]) {
        for line in fact.split(separator: "\n") {
            let bytes = Array(line.utf8)
            var scratch = self.scratch
            self.scratch = []
            bytes.withUnsafeBufferPointer { raw in
                TextNormalizer.withNormalized(raw, scratch: &scratch) { normalized in
                    _ = process(
                        normalized.bytes, number: nil, rules: true, context: false, label: label, group: group,
                        params: context)
                }
            }
            self.scratch = scratch
        }
    }

    private mutating func process(
        _ line: UnsafeBufferPointer<UInt8>, number: Int?, rules matchRules: Bool, context readContext: Bool,
        label: String?, group: String, params: [String: String]
    ) -> Bool {
        var triggers = ContextReader.Trigger()
        candidates.removeAll(keepingCapacity: true)
        if matchRules {
            for rule in patterns.unfilteredRules where !ruleSeen[rule] {
                ruleSeen[rule] = true
                candidates.append(rule)
            }
        }
        hits.removeAll(keepingCapacity: true)
        patterns.words.forEachMatch(in: line, from: 0, to: line.count) { pattern, _ in hits.append(pattern) }
        for pattern in hits {
            for role in patterns.roles[pattern] {
                switch role {
                case .rule(let index):
                    if matchRules, !ruleSeen[index] {
                        ruleSeen[index] = true
                        candidates.append(index)
                    }
                case .context(let trigger):
                    triggers.insert(trigger)
                }
            }
        }
        for index in candidates { ruleSeen[index] = false }
        if readContext, let number {
            context.read(line, number: number, triggers: triggers)
            for fact in context.facts { collector.fact(fact) }
        }
        guard !candidates.isEmpty else { return false }
        candidates.sort()
        var text: String?
        var opensContext = false
        for index in candidates where rules[index].rule.mayMatch(line) {
            let full = text ?? String(decoding: line, as: UTF8.self)
            text = full
            guard let captured = rules[index].rule.match(full) else { continue }
            let shown = label.map { "\($0): \(Self.display(full))" } ?? Self.display(full)
            record(
                rules[index], line: number, text: shown, params: captured.merging(params) { own, _ in own },
                group: group)
            if rules[index].takesContext, !rules[index].rule.supporting { opensContext = true }
        }
        return opensContext
    }

    private mutating func record(
        _ scanRule: ScanRule, line: Int?, text: String, params: [String: String], group: String
    ) {
        if scanRule.rule.supporting {
            collector.supporting(
                case: scanRule.caseID, group: group, rule: scanRule.key, weight: scanRule.rule.weight, line: line,
                text: text, params: params)
        } else {
            collector.primary(
                case: scanRule.caseID, group: group, rule: scanRule.key, weight: scanRule.rule.weight, line: line,
                text: text, params: params)
        }
    }

    /// Evidence as shown: trimmed and at most 300 characters.
    static func display(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "…" : trimmed
    }
}
