// Stand-alone driver of bkfix's text diagnosis for the benchmark, linked against the release build's objects by
// run.sh, used until `bkfix diagnose` is in the CLI. Usage: textscan CASES_DIR LOG
import BKFix
import Foundation

let catalog = try CaseCatalog.load(directory: URL(fileURLWithPath: CommandLine.arguments[1]))
let findings = try Diagnoser(catalog: catalog).diagnose(path: CommandLine.arguments[2])
for finding in findings {
    print(finding.caseID, finding.confidence, finding.evidence.map { "\($0.line ?? 0)" }.joined(separator: ","), finding.params)
}
