import Foundation

/// One line of input (or one cluster fact) that made bkfix believe in a case.
public struct Evidence: Codable, Sendable, Equatable {
    /// 1-based line number in the input; nil for facts read from the live cluster.
    public var line: Int?
    public var text: String

    public init(line: Int?, text: String) {
        self.line = line
        self.text = text
    }
}

/// A diagnosed case with its evidence and the params its playbooks can use (the `--json` contract).
public struct Finding: Codable, Sendable, Equatable {
    public var caseID: String
    /// 0...1, how sure bkfix is; findings are sorted by it.
    public var confidence: Double
    public var evidence: [Evidence]
    public var playbooks: [String]
    public var params: [String: String]
    public var title: String
    public var explanation: String
    public var nextStep: String
    /// The generic findings listed after this one that it explains (`explains:` of its case, same release).
    public var explains: [String] = []
    /// The specific findings listed before this one that explain it: this one is their visible symptom.
    public var explainedBy: [String] = []
    /// The link between them in words, in the finding's language (nil when there is none).
    public var link: String?

    public init(
        caseID: String, confidence: Double, evidence: [Evidence], playbooks: [String], params: [String: String],
        title: String, explanation: String, nextStep: String
    ) {
        self.caseID = caseID
        self.confidence = confidence
        self.evidence = evidence
        self.playbooks = playbooks
        self.params = params
        self.title = title
        self.explanation = explanation
        self.nextStep = nextStep
    }

    /// Confidence as reported: two decimals, never a certainty.
    static func rounded(_ value: Double) -> Double { min(0.99, (value * 100).rounded() / 100) }

    enum CodingKeys: String, CodingKey {
        case caseID = "case"
        case confidence, evidence, playbooks, params, title, explanation
        case nextStep = "next"
        case explains, explainedBy, link
    }
}
