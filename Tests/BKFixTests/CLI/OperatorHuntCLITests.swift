import Foundation
import Testing

/// Bad input and tampering found by using bkfix as an operator would: each ends in a clear message naming the file,
/// the right exit code, and nothing lost.
@Suite struct OperatorHuntCLITests {
    func sandbox() throws -> CLISandbox {
        let s = try CLISandbox()
        try s.write("/etc/hosts", "127.0.0.1 localhost\n")
        return s
    }

    /// A playbook folder with one playbook.
    func playbooks(_ s: CLISandbox, _ id: String, _ yaml: String) throws -> String {
        let dir = s.dir.appendingPathComponent("playbooks").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try yaml.write(toFile: dir + "/\(id).yaml", atomically: true, encoding: .utf8)
        return dir
    }

    /// A playbook that sets `a.b` to 2 in `/v/values.yaml`.
    func setValuePlaybook(_ s: CLISandbox) throws -> String {
        try playbooks(
            s, "set-value",
            """
            id: set-value
            title: {zh: 设置, en: set a value}
            steps:
              - values-set: {file: /v/values.yaml, path: a.b, value: "2"}

            """)
    }

    /// A playbook editing two files with a slow command between them (to be interrupted), and its `slow` stand-in.
    /// With `signal`, `slow step` itself sends it to bkfix (its parent) while it runs: a kill or Ctrl-C at exactly
    /// that moment, with no timing in the test. `slow undo` returns at once.
    func twoFilesPlaybook(_ s: CLISandbox, signal: String? = nil) throws -> String {
        try s.write("/etc/hosts2", "10.0.0.1 other\n")
        try slowStandIn(s, signal: signal)
        return try playbooks(
            s, "two-files",
            """
            id: two-files
            title: {zh: 两个文件, en: two files}
            steps:
              - hosts-entry: {file: /etc/hosts, ip: 10.1.2.3, names: [a.test]}
              - command: {argv: [slow, step], risk: reversible, undo: [[slow, undo]]}
              - hosts-entry: {file: /etc/hosts2, ip: 10.1.2.4, names: [b.test]}

            """)
    }

    /// `slow step` (sending `signal` to its parent first, when given) runs until stopped; `slow undo` returns at once.
    func slowStandIn(_ s: CLISandbox, signal: String?) throws {
        var script = "#!/bin/sh\necho \"slow $*\" >> '\(s.callsLog)'\n[ \"$1\" = step ] || exit 0\n"
        if let signal { script += "kill -\(signal) $PPID\n" + (signal == "KILL" ? "exit 0\n" : "") }
        try ExecutableScript.write(script + "sleep 30\n", to: s.bin + "/slow")
    }

    /// Waits for a process started with `CLISandbox.start` to end (it signals itself: no timing involved).
    func waitForExit(_ process: Process) async throws {
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test func aHugeMalformedHostsLineIsQuotedShortNotInFull() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/etc/hosts", "127.0.0.1 localhost\n" + String(repeating: "x", count: 200_000) + "\n")
        let r = try await s.bkfix(["plan", "hub-hosts"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/etc/hosts line 2"), "\(r.stderr.prefix(300))")
        #expect(r.stderr.utf8.count < 1_000, "stderr has \(r.stderr.utf8.count) bytes")
    }

    @Test func anInvalidValuesFileIsBadInputExitTwo() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try setValuePlaybook(s)
        try s.write("/v/values.yaml", "a:\n  b: 1\n  - x\n")
        let r = try await s.bkfix(["apply", "set-value", "--playbooks", dir, "--yes", "--json"])
        #expect(r.status == 2, "\(r.stdout)")
        let err = try #require(try CLISandbox.json(r.stdout)["error"] as? [String: Any])
        #expect(err["code"] as? String == "bad-values-file")
        #expect((err["message"] as? String)?.contains("/v/values.yaml:3") == true)
        #expect(s.readText("/v/values.yaml") == "a:\n  b: 1\n  - x\n")
        #expect(!FileManager.default.fileExists(atPath: s.state + "/runs"))
    }

    @Test func aBinaryValuesFileIsRefusedWithoutEchoingItsBytes() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try setValuePlaybook(s)
        try s.writeData("/v/values.yaml", Data([0x61, 0x3A, 0x20, 0x01, 0x00, 0xFF, 0x0A]))
        let r = try await s.bkfix(["apply", "set-value", "--playbooks", dir, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/v/values.yaml:1: not YAML the editor understands"), "\(r.stderr)")
        #expect(!r.stderr.contains("\u{0}") && !r.stderr.contains("\u{1}"))
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(s.read("/v/values.yaml") == Data([0x61, 0x3A, 0x20, 0x01, 0x00, 0xFF, 0x0A]))
    }

    @Test func aValuesFileWithAGBKCommentIsRefusedNotSilentlyReEncoded() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try setValuePlaybook(s)
        // "# 中文" in GBK: not UTF-8; a lossy decode would write U+FFFD over these bytes.
        let gbk = Data("a:\n  # ".utf8) + Data([0xD6, 0xD0, 0xCE, 0xC4]) + Data("\n  b: 1\n".utf8)
        try s.writeData("/v/values.yaml", gbk)
        let r = try await s.bkfix(["apply", "set-value", "--playbooks", dir, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/v/values.yaml:2: not YAML the editor understands (not UTF-8 text"), "\(r.stderr)")
        #expect(s.read("/v/values.yaml") == gbk)
    }

    @Test func raiseQuotaRefusesACustomValuesFileThatIsNotUTF8() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        for (path, text) in try WorkDirFixture.files("bkce70") { try s.write(path, text) }
        let custom = "/data/bkce/blueking/environments/default/elasticsearch-custom-values.yaml.gotmpl"
        let latin1 = Data("master:\n  # caf".utf8) + Data([0xE9]) + Data("\n  replicas: 1\n".utf8)
        try s.writeData(custom, latin1)
        let r = try await s.bkfix(["plan", "raise-quota", "-p", "release=bk-elastic", "--install-dir", "/data/bkce"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("\(custom):2: not YAML the editor understands (not UTF-8 text"), "\(r.stderr)")
        #expect(s.read(custom) == latin1)
    }

    @Test func anInvalidDaemonJSONIsBadInputExitTwo() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try playbooks(
            s, "set-json",
            """
            id: set-json
            title: {zh: 设置, en: set a key}
            steps:
              - json-set: {file: /etc/docker/daemon.json, key: registry-mirrors, value: [http://10.0.0.5:5000]}

            """)
        try s.write("/etc/docker/daemon.json", "{\"a\": 1,}\n")
        let r = try await s.bkfix(["apply", "set-json", "--playbooks", dir, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/etc/docker/daemon.json:1:8"), "\(r.stderr)")
        #expect(s.readText("/etc/docker/daemon.json") == "{\"a\": 1,}\n")
        let j = try await s.bkfix(["plan", "set-json", "--playbooks", dir, "--json"])
        #expect((try CLISandbox.json(j.stdout)["error"] as? [String: Any])?["code"] as? String == "bad-json-file")
    }

    @Test func aCorruptRunRecordIsNamedByHistoryShowAndRollback() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let applied = try CLISandbox.json(try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        // An operator "fixes" the record by hand (it lives in git only) and amends the run's commit.
        let record = "runs/\(runID.prefix(4))/\(runID.dropFirst(4).prefix(2))/\(runID).json"
        try "{not a record".write(toFile: s.root + "/bad-record", atomically: true, encoding: .utf8)
        let blob = try await s.git(["hash-object", "-w", s.root + "/bad-record"])
        let staged = try await s.git([
            "update-index", "--cacheinfo",
            "100644,\(blob.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),\(record)",
        ])
        #expect(staged.status == 0, "\(staged.stderr)")
        let amend = try await s.git([
            "-c", "user.name=op", "-c", "user.email=op@example", "commit", "-q", "--amend", "--no-edit",
        ])
        #expect(amend.status == 0, "\(amend.stderr)")
        // history answers from the commit's trailers and decodes no record; what needs the record names it.
        let listed = try await s.bkfix(["history"])
        #expect(listed.status == 0 && listed.stdout.contains(runID), "\(listed.stderr)")
        for args in [["show", runID], ["rollback", "--last", "--yes"]] {
            let r = try await s.bkfix(args)
            #expect(r.status == 1, "\(args)")
            #expect(r.stderr.contains(record), "\(args): \(r.stderr)")
            let j = try await s.bkfix(args + ["--json"])
            let err = try #require(try CLISandbox.json(j.stdout)["error"] as? [String: Any])
            #expect(err["code"] as? String == "state-repo")
        }
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n49.234.165.79 hub.bktencent.com\n")
    }

    @Test func recoverUndoKeepsAnEditMadeAfterTheKillInTheStateRepo() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try twoFilesPlaybook(s, signal: "KILL")
        let process = try s.start(["apply", "two-files", "--playbooks", dir, "--yes"])
        try await waitForExit(process)
        #expect(s.calls.contains("slow step"))
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n10.1.2.3 a.test\n")
        #expect(s.readText("/etc/hosts2") == "10.0.0.1 other\n")
        // The operator edits the half-done file before recovering.
        let edited = "127.0.0.1 localhost\n10.1.2.3 a.test\n192.168.9.9 added-by-hand\n"
        try s.write("/etc/hosts", edited)
        // Like rollback, recover --undo refuses to overwrite a file changed after the run, showing the versions.
        let refused = try await s.bkfix(["recover", "--undo", "--yes"])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("/etc/hosts on control changed after run"), "\(refused.stderr)")
        #expect(refused.stdout.contains("added-by-hand"))
        #expect(s.readText("/etc/hosts") == edited)
        #expect(try await s.bkfix(["status"]).stdout.contains("interrupted run"))
        let r = try await s.bkfix(["recover", "--undo", "--force", "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        #expect(s.readText("/etc/hosts2") == "10.0.0.1 other\n")
        // The command was running when bkfix died: it counts as having run, so its undo ran.
        #expect(s.calls.contains("slow undo"))
        // The hand edit is not lost: it is in the state repo's history.
        let log = try await s.git(["log", "-p", "--format=%s", "--", "hosts/control/etc/hosts"])
        #expect(log.stdout.contains("added-by-hand"), "\(log.stdout)")
        #expect(try await s.bkfix(["status"]).stdout.contains("all clear"))
        let runs = try await s.historyRuns()
        #expect(runs.first?["kind"] as? String == "rollback")
        #expect(runs.dropFirst().first?["status"] as? String == "interrupted")
        #expect(runs.first?["rollbackOf"] as? String == runs.dropFirst().first?["id"] as? String)
    }

    @Test func diagnosingADirectoryOrAMissingLogSaysWhichAndIsBadInput() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = s.dir.appendingPathComponent("logs").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try await s.bkfix(["diagnose", dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read \(dir): it is a directory"), "\(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"))
        let j = try await s.bkfix(["diagnose", dir + "/sync.log", "--json"])
        #expect(j.status == 2)
        let err = try #require(try CLISandbox.json(j.stdout)["error"] as? [String: Any])
        #expect(err["code"] as? String == "unreadable-input")
        #expect((err["message"] as? String)?.contains(dir + "/sync.log") == true)
    }

    @Test func anInventoryThatIsADirectoryIsNamedAsSuch() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = s.dir.appendingPathComponent("inventory.yaml").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try await s.bkfix(["plan", "hub-hosts", "-p", "targets=nodes", "--inventory", dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot read the inventory \(dir): it is a directory"), "\(r.stderr)")
    }

    @Test func aMalformedCommandLineWithJSONStillPrintsOneJSONError() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        for args in [
            ["history", "--limit", "abc"], ["show"], ["rollback"], ["apply", "hub-hosts", "--plan", "p.json"],
        ] {
            let r = try await s.bkfix(args + ["--json"])
            #expect(r.status == 64, "\(args)")
            let err = try #require(try CLISandbox.json(r.stdout)["error"] as? [String: Any], "\(args): \(r.stdout)")
            #expect(err["code"] as? String == "usage")
            #expect((err["message"] as? String)?.isEmpty == false)
            #expect(r.stderr.contains("Usage: bkfix"), "\(args)")
        }
        let plain = try await s.bkfix(["show"])
        #expect(plain.status == 64)
        #expect(plain.stdout.isEmpty)
    }

    @Test func recoverSaysWhereAnUnreadableJournalWentAndFails() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let journal = s.state + "/.git/bkfix/journal-20990101-000000-dead.json"
        try "{torn".write(toFile: journal, atomically: true, encoding: .utf8)
        #expect(try await s.bkfix(["status"]).stdout.contains("interrupted run"))
        let r = try await s.bkfix(["recover"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(journal) is not a readable bkfix journal"), "\(r.stderr)")
        #expect(r.stderr.contains("kept as \(journal).unreadable"))
        #expect(!r.stdout.contains("nothing to recover"))
        #expect(FileManager.default.fileExists(atPath: journal + ".unreadable"))
        try "{torn".write(toFile: journal, atomically: true, encoding: .utf8)
        let j = try await s.bkfix(["recover", "--json"])
        #expect(j.status == 1)
        let doc = try CLISandbox.json(j.stdout)
        let kept = try #require(doc["unreadable"] as? [[String: Any]])
        #expect(kept.first?["journal"] as? String == journal)
        #expect(kept.first?["keptAs"] as? String == journal + ".unreadable.1")
        // Both torn journals are kept: the second did not replace the first.
        #expect(FileManager.default.fileExists(atPath: journal + ".unreadable"))
        #expect(FileManager.default.fileExists(atPath: journal + ".unreadable.1"))
    }

    @Test func aRunIDPrefixThatMatchesSeveralRunsSaysSoInsteadOfNoRun() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let first = try CLISandbox.json(try await s.bkfix(["apply", "hub-hosts", "--yes", "--json"]).stdout)
        let second = try CLISandbox.json(
            try await s.bkfix(["apply", "hub-hosts", "-p", "ip=10.0.0.9", "--yes", "--json"]).stdout)
        let year = String(try #require(first["run"] as? String).prefix(4))
        #expect((second["run"] as? String)?.hasPrefix(year) == true)
        let hosts = s.readText("/etc/hosts")
        for args in [["show", year], ["rollback", year, "--yes"]] {
            let r = try await s.bkfix(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains("'\(year)' matches 2 runs"), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("no run"))
        }
        #expect(s.readText("/etc/hosts") == hosts)
    }

    @Test func historyWithFiltersThatMatchNothingDoesNotClaimThereAreNoRuns() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["history"]).stdout.contains("no history yet"))
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let r = try await s.bkfix(["history", "--playbook", "docker-mirror"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("no recorded run matches these filters"), "\(r.stdout)")
        #expect(!r.stdout.contains("no runs recorded yet"))
    }

    @Test func aSavedPlanThatIsADirectoryOrNotAPlanSaysWhatIsWrong() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = s.dir.appendingPathComponent("plans").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try await s.bkfix(["apply", "--plan", dir, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot use plan \(dir): it is a directory"), "\(r.stderr)")
        let other = dir + "/other.json"
        try "{\"format\": 2}".write(toFile: other, atomically: true, encoding: .utf8)
        let wrong = try await s.bkfix(["apply", "--plan", other, "--yes"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("not a bkfix plan (missing key"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("The operation could not be completed"))
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func demoIntoAPathThatIsAFileNamesIt() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let file = s.dir.appendingPathComponent("demo").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try await ProcessHarness.run(CLISandbox.binary, ["demo", "--dir", file], environment: s.environment)
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot create the demo sandbox: \(file): a file of that name exists"), "\(r.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "x")
    }

    @Test func sigtermBetweenTwoFileWritesRecordsAnInterruptionNotATimeout() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try twoFilesPlaybook(s, signal: "TERM")
        let process = try s.start(["apply", "two-files", "--playbooks", dir, "--yes"])
        try await waitForExit(process)
        #expect(process.terminationStatus == 130)
        #expect(s.readText("/etc/hosts2") == "10.0.0.1 other\n")
        let shown = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)
        let runID = try #require((shown["runs"] as? [[String: Any]])?.first?["id"] as? String)
        let record = try CLISandbox.json(try await s.bkfix(["show", runID, "--json"]).stdout)
        #expect(record["status"] as? String == "interrupted")
        let error = try #require(record["error"] as? String)
        #expect(!error.contains("timed out"), "\(error)")
        #expect(error.contains("slow step: stopped when bkfix was interrupted"), "\(error)")
        #expect(try await s.bkfix(["rollback", runID, "--yes"]).status == 0)
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        #expect(s.readText("/etc/hosts2") == "10.0.0.1 other\n")
    }

    @Test func aCaseFileThatIsADirectoryBinaryOrADanglingLinkIsNamedWithItsProblem() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let cases = s.root + "/etc/bkfix/cases"  // the site's own cases
        try FileManager.default.createDirectory(atPath: cases + "/a-dir.yaml", withIntermediateDirectories: true)
        try Data([0xFF, 0xFE, 0x00, 0x41]).write(to: URL(fileURLWithPath: cases + "/b-binary.yaml"))
        try FileManager.default.createSymbolicLink(atPath: cases + "/c-link.yaml", withDestinationPath: "/nonexistent")
        let log = s.dir.appendingPathComponent("sync.log").path
        try "Error: timed out waiting for the condition\n".write(toFile: log, atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["diagnose", log])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(cases)/a-dir.yaml: cannot read this case file: it is a directory"), "\(r.stderr)")
        #expect(r.stderr.contains("\(cases)/b-binary.yaml: cannot read this case file: not UTF-8 text"))
        #expect(r.stderr.contains("\(cases)/c-link.yaml: cannot read this case file: no such file"))
        #expect(!r.stderr.contains("The operation could not be completed"))
    }

    @Test func fixPathWithFixRCKeepsTheOtherBytesOfABashrcThatIsNotUTF8() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try s.write("/usr/local/bin/helmfile", "#!/bin/sh\n", mode: 0o755)
        try s.write("/etc/profile", "export PATH=/usr/bin:/bin\n")
        // A GBK comment ("# 中文") above the line that resets PATH.
        let gbk = Data("# ".utf8) + Data([0xD6, 0xD0, 0xCE, 0xC4]) + Data("\n".utf8)
        try s.writeData("/home/op/.bashrc", gbk + Data("export PATH=/usr/bin:/bin\n".utf8))
        let out = s.dir.appendingPathComponent("plan.json").path
        let r = try await s.bkfix(["plan", "fix-path", "-p", "home=/home/op", "-p", "fix_rc=true", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let plan = try CLISandbox.json(try String(contentsOfFile: out, encoding: .utf8))
        let files = (plan["changes"] as? [[String: Any]] ?? []).compactMap { $0["file"] as? [String: Any] }
        let bashrc = try #require(files.first { ($0["path"] as? String) == "/home/op/.bashrc" })
        let after = try #require(Data(base64Encoded: bashrc["after"] as? String ?? ""))
        #expect(after == gbk + Data("export PATH=/usr/bin:/bin:/usr/local/bin\n".utf8))
    }

    @Test func aFileInThePlaceOfTheLockFolderIsNamed() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let runtime = s.state + "/.git/bkfix"
        try FileManager.default.removeItem(atPath: runtime)
        try "x".write(toFile: runtime, atomically: true, encoding: .utf8)
        for args in [["status"], ["apply", "hub-hosts", "-p", "ip=10.0.0.9", "--yes"]] {
            let r = try await s.bkfix(args)
            #expect(r.status == 1, "\(args)")
            #expect(
                r.stderr.contains("cannot use \(runtime) for bkfix's lock and journals: it is a file"), "\(r.stderr)")
        }
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n49.234.165.79 hub.bktencent.com\n")
    }

    @Test func recoverAfterAKilledRollbackPointsAtFinishingItNotAtRollingBackTheRollback() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let marker = s.dir.appendingPathComponent("slept").path
        // `slow undo` kills its bkfix the first time only, so the rollback dies in it and is finished afterwards.
        try ExecutableScript.write(
            """
            #!/bin/sh
            echo "slow $*" >> '\(s.callsLog)'
            if [ "$1" = undo ] && [ ! -e '\(marker)' ]; then touch '\(marker)'; kill -KILL $PPID; fi

            """, to: s.bin + "/slow")
        let dir = try playbooks(
            s, "pin-and-slow-undo",
            """
            id: pin-and-slow-undo
            title: {zh: 测试, en: pin, with a slow undo}
            steps:
              - hosts-entry: {ip: 10.1.2.3, names: [a.test]}
              - command: {argv: [slow, step], risk: reversible, undo: [[slow, undo]]}

            """)
        let applied = try CLISandbox.json(
            try await s.bkfix(["apply", "pin-and-slow-undo", "--playbooks", dir, "--yes", "--json"]).stdout)
        let runID = try #require(applied["run"] as? String)
        let process = try s.start(["rollback", runID, "--yes"])
        try await waitForExit(process)
        let r = try await s.bkfix(["recover"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("to finish undoing run \(runID): bkfix rollback \(runID) --retry"), "\(r.stdout)")
        #expect(!r.stdout.contains("to undo what it did"))
        let finish = try await s.bkfix(["rollback", runID, "--retry", "--yes"])
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        #expect(s.calls.filter { $0 == "slow undo" }.count == 2)
    }

    @Test func planOutIntoADirectorySaysItIsADirectoryAndLeavesNoTempFile() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = s.dir.appendingPathComponent("plans").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try await s.bkfix(["plan", "hub-hosts", "--out", dir])
        #expect(r.status == 1)
        #expect(r.stderr.contains("cannot write \(dir): Is a directory"), "\(r.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: s.dir.path).filter { $0.contains(".tmp-") }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aValuesPathThatIsADirectoryOrAPipeIsBadInputLikeTheHostsFile() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try playbooks(
            s, "set-value",
            """
            id: set-value
            title: {zh: 设置, en: set a value}
            params:
              file: {type: path, default: /v/values.yaml}
            steps:
              - values-set: {file: "{{file}}", path: a.b, value: "2"}

            """)
        try FileManager.default.createDirectory(atPath: s.root + "/v/values.yaml", withIntermediateDirectories: true)
        #expect(mkfifo(s.root + "/v/pipe.yaml", 0o644) == 0)
        let r = try await s.bkfix(["plan", "set-value", "--playbooks", dir])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/v/values.yaml is a directory, not a file"), "\(r.stderr)")
        let pipe = try await s.bkfix(["plan", "set-value", "--playbooks", dir, "-p", "file=/v/pipe.yaml", "--json"])
        #expect(pipe.status == 2)
        #expect((try CLISandbox.json(pipe.stdout)["error"] as? [String: Any])?["code"] as? String == "not-a-file")
    }

    @Test func statusSaysANodeFileCouldNotBeCheckedInsteadOfReportingDrift() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        // The record knows a file on node-1 (as after a run there); node-1 now refuses connections.
        try FileManager.default.createDirectory(
            atPath: s.state + "/hosts/node-1/etc", withIntermediateDirectories: true)
        try "127.0.0.1 localhost\n".write(
            toFile: s.state + "/hosts/node-1/etc/hosts", atomically: true, encoding: .utf8)
        #expect(try await s.git(["add", "-A"]).status == 0)
        #expect(
            try await s.git(["-c", "user.name=op", "-c", "user.email=op@x", "commit", "-qm", "by hand"]).status == 0)
        let inventory = s.dir.appendingPathComponent("inventory.yaml").path
        try "nodes:\n  - {name: node-1, address: 127.0.0.1, port: 1, connect_timeout: 2}\n"
            .write(toFile: inventory, atomically: true, encoding: .utf8)
        let r = try await s.bkfix(["status", "--inventory", inventory])
        #expect(r.status == 0)
        #expect(r.stdout.contains("cannot check /etc/hosts on node-1: node node-1"), "\(r.stdout)")
        #expect(!r.stdout.contains("drift:"))
        let j = try CLISandbox.json(try await s.bkfix(["status", "--inventory", inventory, "--json"]).stdout)
        #expect(j["clean"] as? Bool == false)
        #expect((j["drift"] as? [Any])?.isEmpty == true)
        let unchecked = try #require((j["unchecked"] as? [[String: Any]])?.first)
        #expect(unchecked["host"] as? String == "node-1")
        #expect((unchecked["reason"] as? String)?.contains("cannot be reached") == true)
    }

    @Test func anEmptyRunIDNeverPicksTheOnlyRun() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let applied = s.readText("/etc/hosts")
        // `bkfix rollback "$RUN" --yes` with RUN unset.
        for args in [["rollback", "", "--yes"], ["show", ""], ["rollback", " ", "--yes"]] {
            let r = try await s.bkfix(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains("no run '"), "\(args): \(r.stderr)")
        }
        #expect(s.readText("/etc/hosts") == applied)
        let runs = try CLISandbox.json(try await s.bkfix(["history", "--json"]).stdout)["runs"] as? [Any]
        #expect(runs?.count == 1)
    }

    @Test func anEmptyTargetsListIsABadParameterNotAlreadyApplied() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        for value in ["targets=", "targets=,"] {
            let r = try await s.bkfix(["apply", "hub-hosts", "-p", value, "--yes"])
            #expect(r.status == 2, "\(value)")
            #expect(r.stderr.contains("no host given"), "\(value): \(r.stderr)")
            #expect(!r.stdout.contains("already applied"))
        }
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func aPathParameterWithDotDotIsABadParameterNotAGitError() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        for value in ["/etc/../etc/hosts", "/etc/./hosts", "/etc//hosts", "/etc/hosts/"] {
            let r = try await s.bkfix(["apply", "hub-hosts", "-p", "file=\(value)", "--yes"])
            #expect(r.status == 2, "\(value)")
            #expect(r.stderr.contains("file=\(value): expected a plain absolute path"), "\(r.stderr)")
        }
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        #expect(!FileManager.default.fileExists(atPath: s.state + "/runs"))
    }

    @Test func aNewFileUnderADotGitFolderIsRefusedBeforeItIsWritten() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["apply", "hub-hosts", "-p", "file=/etc/.git/hosts", "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot manage /etc/.git/hosts on control"), "\(r.stderr)")
        #expect(s.read("/etc/.git/hosts") == nil)
        let runtime = (try? FileManager.default.contentsOfDirectory(atPath: s.state + "/.git/bkfix")) ?? []
        #expect(!runtime.contains { $0.hasPrefix("journal-") }, "\(runtime)")
        #expect(try await s.bkfix(["status"]).stdout.contains("all clear"))
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
    }

    @Test func aStateFolderThatHoldsOtherFilesIsNeitherTurnedIntoARepoNorChmodded() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let folder = s.dir.appendingPathComponent("etc-by-mistake").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        try "keep me\n".write(toFile: folder + "/passwd", atomically: true, encoding: .utf8)
        var env = s.environment
        env["PATH"] = s.bin + ":/usr/bin:/bin"
        let r = try await ProcessHarness.run(
            CLISandbox.binary, ["apply", "hub-hosts", "--yes", "--root", s.root, "--state", folder], environment: env)
        #expect(r.status == 1)
        #expect(
            r.stderr.contains(
                "cannot create the state repository at \(folder): it is a folder holding other files (passwd)"),
            "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/.git"))
        let mode = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int
        #expect(mode == 0o755)
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func someoneElsesGitRepositoryIsNotTakenAsTheStateRepo() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let theirs = s.dir.appendingPathComponent("their-repo").path
        try FileManager.default.createDirectory(atPath: theirs, withIntermediateDirectories: true)
        let git = { (args: [String]) in
            try await ProcessHarness.run(
                "/usr/bin/git", ["-C", theirs] + args,
                environment: ["HOME": s.dir.path, "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"])
        }
        #expect(try await git(["init", "-q"]).status == 0)
        #expect(try await git(["config", "user.email", "ops@example.com"]).status == 0)
        #expect(try await git(["config", "user.name", "Ops"]).status == 0)
        var env = s.environment
        env["PATH"] = s.bin + ":/usr/bin:/bin"
        let r = try await ProcessHarness.run(
            CLISandbox.binary, ["apply", "hub-hosts", "--yes", "--root", s.root, "--state", theirs], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("it is a git repository of ops@example.com"), "\(r.stderr)")
        #expect(try await git(["config", "user.email"]).stdout == "ops@example.com\n")
        #expect(try await git(["config", "user.name"]).stdout == "Ops\n")
        #expect(try await git(["rev-parse", "--verify", "-q", "HEAD"]).status != 0)
        // A repo with commits but no local identity (it uses the global one) is not bkfix's either.
        #expect(try await git(["config", "--unset", "user.email"]).status == 0)
        try "notes\n".write(toFile: theirs + "/notes.txt", atomically: true, encoding: .utf8)
        #expect(try await git(["add", "notes.txt"]).status == 0)
        #expect(
            try await git(["-c", "user.email=ops@example.com", "-c", "user.name=ops", "commit", "-qm", "x"]).status == 0
        )
        let again = try await ProcessHarness.run(
            CLISandbox.binary, ["history", "--root", s.root, "--state", theirs], environment: env)
        #expect(again.status == 1)
        #expect(again.stderr.contains("not a bkfix state repository"), "\(again.stderr)")
        #expect(try await git(["config", "user.email"]).status != 0)
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func aRootThatDoesNotExistIsAUsageErrorNotAnEmptyMachine() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let missing = s.dir.appendingPathComponent("no-such-root").path
        var env = s.environment
        env["PATH"] = s.bin + ":/usr/bin:/bin"
        for args in [["plan", "hub-hosts"], ["apply", "hub-hosts", "--yes"], ["status", "--json"]] {
            let r = try await ProcessHarness.run(
                CLISandbox.binary, args + ["--root", missing, "--state", s.state], environment: env)
            #expect(r.status == 64, "\(args)")
            #expect(r.stderr.contains("--root \(missing): no such directory"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: missing))
        #expect(!FileManager.default.fileExists(atPath: s.state + "/runs"))
    }

    @Test func aFailedRunThatChangedNothingIsNotWhatRollbackLastPicks() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let dir = try playbooks(
            s, "fails-first",
            """
            id: fails-first
            title: {zh: 失败, en: fails at once}
            steps:
              - command: {argv: ["false"], risk: reversible, undo: [["true"]]}

            """)
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let failed = try await s.bkfix(["apply", "fails-first", "--playbooks", dir, "--yes"])
        #expect(failed.status == 1)
        #expect(!failed.stdout.contains("to undo"), "\(failed.stdout)")
        let r = try await s.bkfix(["rollback", "--last", "--yes"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func aParameterGivenTwiceWithDifferentValuesIsRefused() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let r = try await s.bkfix(["apply", "hub-hosts", "-p", "ip=10.0.0.1", "-p", "ip=10.0.0.2", "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("parameter ip is given twice (ip=10.0.0.1, ip=10.0.0.2)"), "\(r.stderr)")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
        let same = try await s.bkfix(["plan", "hub-hosts", "-p", "ip=10.0.0.1", "-p", "ip=10.0.0.1"])
        #expect(same.status == 0, "\(same.stderr)")
    }

    @Test func aKilledRunWhosePidWasReusedIsStillRecoverable() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        try slowStandIn(s, signal: "KILL")
        let dir = try playbooks(
            s, "pin-and-wait",
            """
            id: pin-and-wait
            title: {zh: 测试, en: pin and wait}
            steps:
              - hosts-entry: {ip: 10.1.2.3, names: [a.test]}
              - command: {argv: [slow, step], risk: reversible, undo: [[slow, undo]]}

            """)
        let process = try s.start(["apply", "pin-and-wait", "--playbooks", dir, "--yes"])
        try await waitForExit(process)
        // After a reboot the dead run's pid belongs to someone else: here, this test process.
        let runtime = s.state + "/.git/bkfix"
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: runtime).first { $0.hasPrefix("journal-") })
        var journal = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: runtime + "/" + name)))
                as? [String: Any])
        journal["pid"] = Int(getpid())
        try JSONSerialization.data(withJSONObject: journal).write(to: URL(fileURLWithPath: runtime + "/" + name))
        let status = try await s.bkfix(["status"])
        #expect(status.stdout.contains("interrupted run"), "\(status.stdout)")
        #expect(!status.stdout.contains("running:"))
        let blocked = try await s.bkfix(["apply", "hub-hosts", "--yes"])
        #expect(blocked.status == 3)
        let recovered = try await s.bkfix(["recover"])
        #expect(recovered.stdout.contains("recovered run"), "\(recovered.stdout)")
        #expect(try await s.bkfix(["status"]).stdout.contains("all clear"))
    }

    @Test func aSavedPlanOfAnotherFormatIsRefused() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        let file = s.dir.appendingPathComponent("plan.json").path
        #expect(try await s.bkfix(["plan", "hub-hosts", "--out", file]).status == 0)
        var plan = try CLISandbox.json(try String(contentsOfFile: file, encoding: .utf8))
        plan["format"] = 99
        try JSONSerialization.data(withJSONObject: plan).write(to: URL(fileURLWithPath: file))
        let r = try await s.bkfix(["apply", "--plan", file, "--yes"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("plan format 99, this bkfix reads format 2"), "\(r.stderr)")
        #expect(s.readText("/etc/hosts") == "127.0.0.1 localhost\n")
    }

    @Test func historyRefusesAStatusThatNoRunCanHave() async throws {
        let s = try sandbox()
        defer { s.cleanup() }
        #expect(try await s.bkfix(["apply", "hub-hosts", "--yes"]).status == 0)
        let r = try await s.bkfix(["history", "--status", "sucess"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--status: no run status 'sucess'"), "\(r.stderr)")
        #expect(try await s.bkfix(["history", "--status", "verify-failed"]).status == 0)
    }
}
