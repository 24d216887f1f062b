import Foundation

extension StateRepo {
    /// Parses "Key: value" trailer lines from the last paragraph of a commit message.
    ///
    /// Like git, a paragraph counts as trailers only if it is not the subject paragraph and every line in it is
    /// a trailer (indented lines continue the previous value). When a key repeats, the last value wins.
    public static func parseTrailers(_ message: String) -> [String: String] {
        let lines = message.replacingOccurrences(of: "\r\n", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var paragraphs: [[String]] = [[]]
        for line in lines {
            if line.allSatisfy(\.isWhitespace) {
                if !(paragraphs.last ?? []).isEmpty { paragraphs.append([]) }
            } else {
                paragraphs[paragraphs.count - 1].append(line)
            }
        }
        paragraphs.removeAll { $0.isEmpty }
        guard paragraphs.count >= 2, let block = paragraphs.last else { return [:] }

        var trailers: [(key: String, value: String)] = []
        for line in block {
            if let first = line.first, first == " " || first == "\t" {
                guard !trailers.isEmpty else { return [:] }
                let continuation = line.trimmingCharacters(in: .whitespaces)
                trailers[trailers.count - 1].value += " " + continuation
                continue
            }
            guard let trailer = trailerLine(line) else { return [:] }
            trailers.append(trailer)
        }
        var result: [String: String] = [:]
        for trailer in trailers { result[trailer.key] = trailer.value }
        return result
    }

    /// Splits "Key: value" where the key is letters, digits and dashes; nil for any other line.
    private static func trailerLine(_ line: String) -> (key: String, value: String)? {
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let key = line[..<colon]
        guard !key.isEmpty, key.allSatisfy({ ($0.isASCII && ($0.isLetter || $0.isNumber)) || $0 == "-" }) else {
            return nil
        }
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return (String(key), value)
    }
}
