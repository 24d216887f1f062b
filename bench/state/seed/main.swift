// Bench-only driver: grows a state repo by N runs exactly the way `bkfix apply` and `bkfix rollback` record them
// (RunStore.recordPreImages, then RunStore.commitRun), from the records of one real apply/rollback pair, with the
// runs spread over time like an operator's (one every INTERVAL seconds, ending now). Running the binary 10,000
// times would take an hour on the bench machine; the repo this makes has the same commits, trees and trailers.
//
//   seed STATE RUNS APPLY_RECORD.json ROLLBACK_RECORD.json BEFORE AFTER [INTERVAL_SECONDS]
import BKFix
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 7, let runs = Int(arguments[2]) else {
    FileHandle.standardError.write(
        Data("usage: seed STATE RUNS APPLY_RECORD ROLLBACK_RECORD BEFORE AFTER [INTERVAL_SECONDS]\n".utf8))
    exit(2)
}
func load(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }
let applyTemplate = try RunStore.decoder.decode(RunRecord.self, from: load(arguments[3]))
let rollbackTemplate = try RunStore.decoder.decode(RunRecord.self, from: load(arguments[4]))
let before = try load(arguments[5])
let after = try load(arguments[6])
let interval = arguments.count > 7 ? Double(arguments[7]) ?? 7200 : 7200

let store = try RunStore.open(path: arguments[1])
let file = (host: "control", path: "/etc/hosts")
let key = RunStore.hostPath(file.host, file.path)
let end = Date()
var lastApply = ""
for index in 0..<runs {
    let started = end.addingTimeInterval(-Double(runs - 1 - index) * interval)
    let isApply = index % 2 == 0
    var record = isApply ? applyTemplate : rollbackTemplate
    record.id = RunID.make(now: started)
    record.started = started
    record.finished = started.addingTimeInterval(0.2)
    // What the applier does: pre-images first (the live file), then the run's commit with the new content.
    record.baseCommit = try store.recordPreImages([(file.host, file.path, isApply ? before : after)])
    if isApply {
        lastApply = record.id
    } else {
        record.rollbackOf = lastApply
    }
    try store.commitRun(record, contents: [key: isApply ? after : before])
}
