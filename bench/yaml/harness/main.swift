// yaml-splice: a test-free process around the library's YAML editor, for the benchmark until `bkfix plan/apply`
// exists. Usage: yaml-splice FILE PATH=VALUE... (rewrites FILE in place; exit 1 with the editor's error).
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let file = arguments.first, arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: yaml-splice FILE dotted.path=value...\n".utf8))
    exit(2)
}
let assignments = arguments.dropFirst().compactMap { argument -> YAMLSplice.Assignment? in
    guard let eq = argument.firstIndex(of: "=") else { return nil }
    return YAMLSplice.Assignment(
        YAMLSplice.path(String(argument[..<eq])), String(argument[argument.index(after: eq)...]))
}
do {
    let text = FileManager.default.contents(atPath: file).map { String(decoding: $0, as: UTF8.self) } ?? ""
    let edited = try YAMLSplice.set(assignments, in: text, file: file)
    // Written in place, as the ruamel.yaml peer does (the Applier itself writes atomically).
    try Data(edited.utf8).write(to: URL(fileURLWithPath: file))
} catch {
    FileHandle.standardError.write(Data("yaml-splice: \(error.localizedDescription)\n".utf8))
    exit(1)
}
