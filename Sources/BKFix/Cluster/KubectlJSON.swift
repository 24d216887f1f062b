import Foundation

/// Decodes a kubectl `-o json` answer into the few fields a caller declares; an answer that is not that shape is
/// `KubectlError.undecodable`, naming the command.
enum KubectlJSON {
    static func decode<T: Decodable>(_ type: T.Type, _ json: String, argv: [String]) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(json.utf8))
        } catch {
            throw KubectlError.undecodable(argv: argv, problem: "\(error)")
        }
    }
}
