import Foundation

extension PlanContext {
    /// A message in the run's language.
    public func text(zh: String, en: String) -> String { Localized(zh: zh, en: en).text(language) }
}
