import Foundation
import Yams

/// Aliases let a few lines of YAML stand for a tree of billions of nodes (the "billion laughs" alias bomb): Yams
/// resolves `*a` to the anchored node itself, so anything that walks the whole tree walks every expansion. Code
/// that walks a whole tree from an operator's file asks first whether it stays under a sane size.
enum YAMLNodeLimit {
    /// Far above any values file, playbook or inventory (BlueKing's largest values files have a few thousand).
    static let maximum = 1_000_000

    /// Why the tree is refused, or nil when it has at most `limit` nodes counting every alias expansion. Stops
    /// counting at the limit, so the check itself stays cheap.
    static func problem(_ node: Node, limit: Int = maximum) -> String? {
        var stack = [node]
        var count = 0
        while let next = stack.popLast() {
            count += 1
            if count > limit {
                return "its aliases expand to more than \(limit) nodes (an alias bomb?); refusing to expand them"
            }
            switch next {
            case .mapping(let mapping):
                for (key, value) in mapping {
                    stack.append(key)
                    stack.append(value)
                }
            case .sequence(let sequence): stack.append(contentsOf: sequence)
            case .scalar, .alias: break
            }
        }
        return nil
    }
}
