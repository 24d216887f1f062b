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
    /// The params this case takes from what the text says around its evidence (`context:`): the release,
    /// namespace, pod or node that the surrounding lines name (see `ContextReader`), when its own rules name none.
    public var context: [String] = []
    /// The generic cases this one explains (`explains:`): when both are found for the same release, this one is
    /// listed first and the generic one says it is a symptom of this one.
    public var explains: [String] = []
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
    /// Params a match implies although the line does not spell them (`params:`); a capture of the same name wins.
    public var fixedParams: [String: String] = [:]
    /// Captures that are numbers which may be written in scientific notation (`decimal:`): `8.64e+07` is passed on
    /// as `86400000`, the way the value was meant.
    public var decimalCaptures: [String] = []
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
        var params = fixedParams
        for name in captureNames {
            let r = m.range(withName: name)
            guard r.location != NSNotFound else { continue }
            let value = ns.substring(with: r)
            params[name] = decimalCaptures.contains(name) ? (Self.plainDecimal(value) ?? value) : value
        }
        return params
    }
}

extension TextRule {
    /// `8.64e+07` → `86400000`: the digits of a number written in scientific notation, when it is a whole number;
    /// nil when it is not one.
    static func plainDecimal(_ text: String) -> String? {
        let parts = text.lowercased().split(separator: "e", omittingEmptySubsequences: false)
        guard parts.count == 2, let exponent = Int(parts[1]), (0...30).contains(exponent) else { return nil }
        let mantissa = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(mantissa.count),
            mantissa.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
            !mantissa[0].isEmpty
        else { return nil }
        var fraction = mantissa.count == 2 ? String(mantissa[1]) : ""
        while fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= exponent else { return nil }
        var digits = String(mantissa[0]) + fraction + String(repeating: "0", count: exponent - fraction.count)
        while digits.count > 1, digits.hasPrefix("0") { digits.removeFirst() }
        return digits
    }
}

/// The param names a text rule may capture: those the playbooks take, plus `image` for diagnosis-only reports.
public let derivableParamNames: Set<String> = [
    "release", "namespace", "chart", "version", "node", "pod", "component", "image", "key", "value", "type",
]

/// The params a case can take from the surrounding text (`context:`).
public let contextParamNames: Set<String> = ["release", "namespace", "pod", "node"]
