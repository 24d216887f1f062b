import Foundation

/// Joins text and live findings: the same case about the same release becomes one finding, and a release
/// timeout seen in a log points to the live cases of that release's pods.
public enum FindingMerger {
    public static func combine(text: [Finding], live: [Finding]) -> [Finding] {
        var merged = live
        var timedOutReleases: [String: Evidence] = [:]
        for finding in text where finding.caseID == "release-timeout" {
            guard let release = finding.params["release"] else { continue }
            let line = finding.evidence.first { $0.text.contains("timed out") } ?? finding.evidence.first
            if let line { timedOutReleases[release] = line }
        }
        for index in merged.indices {
            guard let release = merged[index].params["release"], let cause = timedOutReleases[release] else { continue }
            merged[index].evidence.insert(cause, at: 0)
            merged[index].confidence = Finding.rounded(1 - (1 - merged[index].confidence) * 0.8)
        }
        for var finding in text {
            if finding.caseID == "release-timeout", let release = finding.params["release"] {
                for pod in live where pod.params["release"] == release {
                    finding.evidence.append(
                        Evidence(line: nil, text: "\(pod.caseID): \(pod.evidence.first?.text ?? release)"))
                }
            }
            if let same = merged.firstIndex(where: {
                $0.caseID == finding.caseID
                    && ($0.params["release"] == nil || finding.params["release"] == nil
                        || $0.params["release"] == finding.params["release"])
            }) {
                merged[same].evidence =
                    finding.evidence + merged[same].evidence.filter { !finding.evidence.contains($0) }
                merged[same].params.merge(finding.params) { live, _ in live }
                merged[same].confidence = Finding.rounded(1 - (1 - merged[same].confidence) * (1 - finding.confidence))
            } else {
                merged.append(finding)
            }
        }
        return merged.enumerated().sorted {
            $0.element.confidence != $1.element.confidence
                ? $0.element.confidence > $1.element.confidence : $0.offset < $1.offset
        }.map(\.element)
    }
}
