import Foundation

/// Shows findings to the operator (text, zh or en) or as the `{"findings": [...]}` JSON document.
public enum FindingRenderer {
    static let noMatch = Localized(zh: "没有匹配到已知案例。", en: "No known case matched.")
    static let confidence = Localized(zh: "可信度", en: "confidence")
    static let evidence = Localized(zh: "依据", en: "evidence")
    static let line = Localized(zh: "第 %@ 行", en: "line %@")
    static let cluster = Localized(zh: "集群", en: "cluster")
    static let why = Localized(zh: "原因", en: "why")
    static let next = Localized(zh: "下一步", en: "next")
    static let fix = Localized(zh: "修复", en: "fix")
    static let diagnosisOnly = Localized(zh: "仅诊断（没有自动修复的 playbook）", en: "diagnosis only (no playbook fixes this)")
    static let noPlaybookYet = Localized(zh: "（该 playbook 尚未提供）", en: "(no playbook yet)")
    static let link = Localized(zh: "关联", en: "link")

    /// Every message of the renderer, for the test that both languages exist.
    static let allMessages = [
        noMatch, confidence, evidence, line, cluster, why, next, fix, diagnosisOnly, noPlaybookYet, link,
    ]

    /// The findings as text. `playbookParams` (when known) maps each existing playbook to the params it takes:
    /// a suggested playbook missing from it says "no playbook yet", and only params it takes go on its command line.
    public static func render(
        _ findings: [Finding], language: Language, color: Bool = false, playbookParams: [String: Set<String>]? = nil
    ) -> String {
        guard !findings.isEmpty else { return noMatch.text(language) + "\n" }
        func bold(_ s: String) -> String { color ? "\u{1B}[1m\(s)\u{1B}[0m" : s }
        func dim(_ s: String) -> String { color ? "\u{1B}[2m\(s)\u{1B}[0m" : s }
        var out = ""
        for (index, finding) in findings.enumerated() {
            out += bold("\(index + 1). [\(finding.caseID)] \(finding.title)")
            out += "  (\(confidence.text(language)) \(String(format: "%.2f", finding.confidence)))\n"
            out += "   \(evidence.text(language)):\n"
            for item in finding.evidence {
                let place =
                    item.line.map { line.text(language).replacingOccurrences(of: "%@", with: String($0)) }
                    ?? cluster.text(language)
                out += "     " + dim(place + ":") + " \(item.text)\n"
            }
            if let text = finding.link { out += "   \(link.text(language)): \(text)\n" }
            out += "   \(why.text(language)): \(finding.explanation)\n"
            out += "   \(next.text(language)): \(finding.nextStep)\n"
            if finding.playbooks.isEmpty {
                out += "   \(fix.text(language)): \(diagnosisOnly.text(language))\n"
            }
            for playbook in finding.playbooks {
                let accepted = playbookParams.map { $0[playbook] }
                if let accepted, accepted == nil {
                    out += "   \(fix.text(language)): \(playbook) \(noPlaybookYet.text(language))\n"
                } else {
                    let params = finding.params.keys.sorted().filter { accepted??.contains($0) ?? true }
                        .map { "-p \($0)=\(finding.params[$0]!)" }.joined(separator: " ")
                    out +=
                        "   \(fix.text(language)): "
                        + bold("bkfix plan \(playbook)" + (params.isEmpty ? "" : " \(params)")) + "\n"
                }
            }
            out += "\n"
        }
        return out
    }

    /// `{"findings": [...]}` as plain objects for `JSONSerialization`.
    public static func jsonObject(_ findings: [Finding]) -> [String: Any] {
        let data = (try? JSONEncoder().encode(findings)) ?? Data("[]".utf8)
        return ["findings": (try? JSONSerialization.jsonObject(with: data)) ?? []]
    }
}
