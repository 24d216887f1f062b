import Foundation

/// The language of every user-facing message.
public enum Language: String, Sendable, Codable, CaseIterable {
    case zh, en

    /// `LC_ALL`, then `LANG`: `zh*` means Chinese, anything else English.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) -> Language {
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let v = env[key], !v.isEmpty { return v.lowercased().hasPrefix("zh") ? .zh : .en }
        }
        return .en
    }
}

/// A text that exists in both languages; having both is enforced by construction.
public struct Localized: Sendable, Codable, Equatable, Hashable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    public func text(_ lang: Language) -> String { lang == .zh ? zh : en }
}
