import Foundation

/// One known failure: its texts in both languages, the rules that recognise it and the playbooks that fix it.
public struct CaseDefinition: Sendable {
    public var id: String
    public var title: Localized
    public var explanation: Localized
    /// What the operator should do next (shown always; the only advice when there is no playbook).
    public var nextStep: Localized
    /// Playbook ids that fix the case, best first; empty means diagnosis only.
    public var playbooks: [String]
    /// Names of the live-cluster classifiers that can report this case (see `ClusterRule`).
    public var clusterRules: [String]
    /// The param names a finding passes to its playbooks (`derive:`); nil passes every derived param. A case whose
    /// playbook has a same-named param with another meaning (localpv-sync's `release`) lists only the safe ones.
    public var derive: [String]?
    public var textRules: [TextRule]
    /// The case file it came from, for messages.
    public var source: String
}

/// A compiled text symptom: a regex whose named captures become finding params.
public struct TextRule: @unchecked Sendable {
    public var pattern: String
    /// How much one match says about the case, 0 < weight < 1.
    public var weight: Double
    /// A supporting rule only adds confidence and params near a primary match; alone it reports nothing.
    public var supporting: Bool
    /// The names of the regex's named captures, in pattern order.
    public var captureNames: [String]
    /// Literals every matching line contains (derived from the pattern), checked before the regex runs.
    public var requiredLiterals: [[UInt8]]
    /// From the rule's `literal:` list: a matching line contains at least one of them (empty: no such check).
    public var anyLiterals: [[UInt8]]
    /// The file and line of the rule, for lint messages.
    public var location: String
    /// NSRegularExpression is immutable after creation and documented thread-safe.
    let regex: NSRegularExpression

    /// True when the cheap byte checks allow a match; false means the regex cannot match this line.
    func mayMatch(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for literal in requiredLiterals where !ByteSearch.contains(line, literal) { return false }
        return anyLiterals.isEmpty || anyLiterals.contains { ByteSearch.contains(line, $0) }
    }

    /// True when the rule has a byte prefilter, so most lines never reach the regex.
    public var hasPrefilter: Bool { !requiredLiterals.isEmpty || !anyLiterals.isEmpty }

    /// The named captures of the first match in `line`, or nil when the rule does not match.
    func match(_ line: String) -> [String: String]? {
        let ns = line as NSString
        guard let m = regex.firstMatch(in: line, range: NSRange(location: 0, length: ns.length)) else { return nil }
        var params: [String: String] = [:]
        for name in captureNames {
            let r = m.range(withName: name)
            if r.location != NSNotFound { params[name] = ns.substring(with: r) }
        }
        return params
    }
}

/// The param names a text rule may capture: those the playbooks take, plus `image` for diagnosis-only reports.
public let derivableParamNames: Set<String> = [
    "release", "namespace", "chart", "version", "node", "pod", "component", "image",
]
