import Foundation

/// Puts a specific cause before the generic symptom it explains (SPEC §4: most likely first): a crash loop whose log
/// shows IPv6 disabled is reported as `ipv6-disabled` first, a pod that starts too slowly before the release
/// timeout of the same release. The generic finding stays, after its cause, and both say how they are linked.
public enum CauseRanking {
    static let symptomOf = Localized(
        zh: "这是上面 %@ 的表现：原因解决后它也会消失。",
        en: "A symptom of %@ (listed above): fixing the cause fixes this too.")
    static let causeOf = Localized(
        zh: "它解释了下面的 %@。", en: "It explains %@ (listed below).")

    /// Every message, for the test that both languages exist.
    static let allMessages = [symptomOf, causeOf]

    /// The findings with causes before their symptoms and the links filled in; links are recomputed from scratch.
    public static func rank(_ findings: [Finding], catalog: CaseCatalog, language: Language) -> [Finding] {
        var out = findings
        for i in out.indices {
            out[i].explains = []
            out[i].explainedBy = []
            out[i].link = nil
        }
        var explainsIndex: [Int: Set<Int>] = [:]
        for cause in out.indices {
            let generic = Set(catalog.definition(out[cause].caseID)?.explains ?? [])
            guard !generic.isEmpty else { continue }
            for symptom in out.indices where symptom != cause && generic.contains(out[symptom].caseID) {
                guard sameRelease(out[cause], out[symptom]) else { continue }
                explainsIndex[cause, default: []].insert(symptom)
            }
        }
        guard !explainsIndex.isEmpty else { return out }
        // A cause is at least as likely as the symptom it explains: the symptom's evidence is evidence for it too.
        var changed = true
        var rounds = 0
        while changed, rounds < out.count {
            changed = false
            rounds += 1
            for (cause, symptoms) in explainsIndex {
                for symptom in symptoms where out[symptom].confidence > out[cause].confidence {
                    out[cause].confidence = out[symptom].confidence
                    changed = true
                }
            }
        }
        func depth(_ index: Int, _ seen: Set<Int> = []) -> Int {
            guard let symptoms = explainsIndex[index], !seen.contains(index) else { return 0 }
            return 1 + (symptoms.map { depth($0, seen.union([index])) }.max() ?? 0)
        }
        let order = out.indices.sorted { a, b in
            if out[a].confidence != out[b].confidence { return out[a].confidence > out[b].confidence }
            let (da, db) = (depth(a), depth(b))
            return da != db ? da > db : a < b
        }
        for (cause, symptoms) in explainsIndex {
            for symptom in symptoms {
                out[cause].explains.append(out[symptom].caseID)
                out[symptom].explainedBy.append(out[cause].caseID)
            }
        }
        for i in out.indices {
            out[i].explains = unique(out[i].explains)
            out[i].explainedBy = unique(out[i].explainedBy)
            let causes = out[i].explainedBy.map { "`\($0)`" }.joined(separator: ", ")
            let symptoms = out[i].explains.map { "`\($0)`" }.joined(separator: ", ")
            var sentences: [String] = []
            if !causes.isEmpty {
                sentences.append(symptomOf.text(language).replacingOccurrences(of: "%@", with: causes))
            }
            if !symptoms.isEmpty {
                sentences.append(causeOf.text(language).replacingOccurrences(of: "%@", with: symptoms))
            }
            out[i].link = sentences.isEmpty ? nil : sentences.joined(separator: " ")
        }
        return order.map { out[$0] }
    }

    /// Two findings are about the same release when both name it alike, or when either names none.
    private static func sameRelease(_ a: Finding, _ b: Finding) -> Bool {
        guard let x = a.params["release"], let y = b.params["release"] else { return true }
        return x == y
    }

    private static func unique(_ ids: [String]) -> [String] {
        var seen: Set<String> = []
        return ids.filter { seen.insert($0).inserted }.sorted()
    }
}
