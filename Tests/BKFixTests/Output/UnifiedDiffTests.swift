import Foundation
import Testing

@testable import BKFix

@Suite struct UnifiedDiffTests {
    func diff(_ old: String?, _ new: String?, context: Int = 3) -> String {
        UnifiedDiff.render(
            old: old.map { Data($0.utf8) }, new: new.map { Data($0.utf8) }, oldLabel: "a/etc/hosts",
            newLabel: "b/etc/hosts", context: context)
    }

    @Test func equalContentGivesEmptyString() {
        #expect(diff("a\nb\n", "a\nb\n") == "")
        #expect(diff(nil, nil) == "")
        #expect(diff("", nil) == "")
    }

    @Test func appendedLineHasGnuHeaderAndRanges() {
        #expect(
            diff("a\nb\nc\n", "a\nb\nc\nd\n") == """
                --- a/etc/hosts
                +++ b/etc/hosts
                @@ -1,3 +1,4 @@
                 a
                 b
                 c
                +d

                """)
    }

    @Test func singleLineRangesOmitTheCount() {
        #expect(diff("a\n", "b\n") == "--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1 +1 @@\n-a\n+b\n")
    }

    @Test func absentOldFileIsAllAdded() {
        #expect(diff(nil, "x\ny\n") == "--- a/etc/hosts\n+++ b/etc/hosts\n@@ -0,0 +1,2 @@\n+x\n+y\n")
        #expect(diff("x\ny\n", nil) == "--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,2 +0,0 @@\n-x\n-y\n")
    }

    @Test func missingFinalNewlineIsMarked() {
        #expect(
            diff("a\nb", "a\nb\n") == """
                --- a/etc/hosts
                +++ b/etc/hosts
                @@ -1,2 +1,2 @@
                 a
                -b
                \\ No newline at end of file
                +b

                """)
        #expect(
            diff("a\nb", "a\nb\nc") == """
                --- a/etc/hosts
                +++ b/etc/hosts
                @@ -1,2 +1,3 @@
                 a
                -b
                \\ No newline at end of file
                +b
                +c
                \\ No newline at end of file

                """)
    }

    @Test func crlfLinesKeepTheirCarriageReturn() {
        #expect(
            diff("a\r\nb\r\n", "a\r\nc\r\n") == "--- a/etc/hosts\n+++ b/etc/hosts\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n")
    }

    @Test func binaryContentIsSummarised() {
        let out = UnifiedDiff.render(old: Data([0, 1, 2]), new: Data([0, 1]), oldLabel: "a", newLabel: "b")
        #expect(out == "Binary files differ (3 -> 2 bytes)\n")
    }

    @Test func distantChangesGetSeparateHunksAndCloseOnesMerge() {
        let lines = (1...20).map { "l\($0)" }
        let old = lines.joined(separator: "\n") + "\n"
        var far = lines
        far[1] = "X"
        far[17] = "Y"
        let farDiff = diff(old, far.joined(separator: "\n") + "\n")
        #expect(farDiff.components(separatedBy: "\n@@").count == 3)
        var near = lines
        near[1] = "X"
        near[8] = "Y"  // six unchanged lines between: contexts touch, one hunk
        #expect(diff(old, near.joined(separator: "\n") + "\n").components(separatedBy: "\n@@").count == 2)
    }

    @Test func colorizeMarksEachKindOfLine() {
        let colored = UnifiedDiff.colorize("--- a\n+++ b\n@@ -1,2 +1,2 @@\n-- x\n++ y\n keep\n")
        #expect(
            colored == """
                \u{1B}[1m--- a\u{1B}[0m
                \u{1B}[1m+++ b\u{1B}[0m
                \u{1B}[36m@@ -1,2 +1,2 @@\u{1B}[0m
                \u{1B}[31m-- x\u{1B}[0m
                \u{1B}[32m++ y\u{1B}[0m
                 keep

                """)
    }

    @Test func colorizeKeepsCrlfLinesApart() {
        let colored = UnifiedDiff.colorize("--- a\n+++ b\n@@ -1 +1,2 @@\n-a\r\n+b\r\n+c\r\n")
        #expect(
            colored == "\u{1B}[1m--- a\u{1B}[0m\n\u{1B}[1m+++ b\u{1B}[0m\n\u{1B}[36m@@ -1 +1,2 @@\u{1B}[0m\n"
                + "\u{1B}[31m-a\r\u{1B}[0m\n\u{1B}[32m+b\r\u{1B}[0m\n\u{1B}[32m+c\r\u{1B}[0m\n")
    }

    @Test func fiveThousandLineFilesWithManyChangesOrNoneInCommon() {
        let old = (0..<5000).map { "line \($0) of a fairly long file\n" }
        var new = old
        for i in stride(from: 0, to: 5000, by: 7) { new[i] = "changed \(i)\n" }
        let out = UnifiedDiff.render(
            old: Data(old.joined().utf8), new: Data(new.joined().utf8), oldLabel: "a",
            newLabel: "b")
        #expect(out.contains("+changed 4998\n"))
        #expect(out.components(separatedBy: "\n+changed ").count - 1 == 715)
        let unrelated = UnifiedDiff.render(
            old: Data(old.joined().utf8),
            new: Data(old.map { "other " + $0 }.joined().utf8), oldLabel: "a",
            newLabel: "b")
        #expect(unrelated.hasPrefix("--- a\n+++ b\n@@ -1,5000 +1,5000 @@\n"))
    }

    /// GNU `diff -U<context>` of two texts, labelled a and b.
    func gnuDiff(_ old: String, _ new: String, context: Int, in dir: URL, round: Int) throws -> String {
        let oldURL = dir.appendingPathComponent("old\(round)")
        let newURL = dir.appendingPathComponent("new\(round)")
        try Data(old.utf8).write(to: oldURL)
        try Data(new.utf8).write(to: newURL)
        return try ProcessRunner.run(
            ["/usr/bin/diff", "-U\(context)", "--label", "a", "--label", "b", oldURL.path, newURL.path],
            workdir: nil, environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"], timeout: 30, output: nil
        ).stdout
    }

    /// Random edits of small files with distinct lines (so the minimal diff is unique), compared with GNU diff.
    @Test func matchesGnuDiffOnRandomEdits() throws {
        let dir = try Fixtures.tempDir("diff")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        var mismatches: [String] = []
        for round in 0..<200 {
            let count = Int.random(in: 0...40, using: &rng)
            var serial = 0
            func fresh() -> String {
                serial += 1
                return Bool.random(using: &rng) ? "line \(round)-\(serial)\r" : "line \(round)-\(serial) 中文\t"
            }
            let old = (0..<count).map { _ in fresh() }
            var new: [String] = []
            for line in old {
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: continue  // delete
                case 1: new.append(fresh())  // replace
                case 2: new += [line, fresh()]  // insert after
                default: new.append(line)
                }
            }
            if Int.random(in: 0..<4, using: &rng) == 0 { new.insert(fresh(), at: 0) }
            let oldText = old.joined(separator: "\n") + (Bool.random(using: &rng) || old.isEmpty ? "\n" : "")
            let newText = new.joined(separator: "\n") + (Bool.random(using: &rng) || new.isEmpty ? "\n" : "")
            let context = [0, 1, 3, 3, 5].randomElement(using: &rng)!
            let gnu = try gnuDiff(oldText, newText, context: context, in: dir, round: round)
            let ours = UnifiedDiff.render(
                old: Data(oldText.utf8), new: Data(newText.utf8), oldLabel: "a",
                newLabel: "b", context: context)
            if ours != gnu {
                mismatches.append("round \(round) (-U\(context)):\n--- gnu\n\(gnu)\n--- ours\n\(ours)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2).joined(separator: "\n"))")
    }

    /// Big files that share a long head and tail, edited near the edges of what they share (first and last line,
    /// the final newline, CRLF endings, lines that repeat across the boundary), give GNU's diff byte for byte.
    @Test func longCommonHeadAndTailGiveGnusDiff() throws {
        let dir = try Fixtures.tempDir("diff")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededRandom(seed: 10)
        var mismatches: [String] = []
        for round in 0..<60 {
            let count = Int.random(in: 1...3000, using: &rng)
            let ending = round % 5 == 0 ? "\r\n" : "\n"
            var old = (0..<count).map { "0.0.0.0 host-\($0 % 97 == 0 ? 0 : $0).example.net" + ending }
            if round % 7 == 0 { old[count - 1].removeLast(ending.count) }
            var new = old
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let at = [0, new.count - 1, Int.random(in: 0..<new.count, using: &rng)].randomElement(using: &rng)!
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: new.remove(at: at)
                case 1: new.insert("49.234.165.79 hub.bktencent.com" + ending, at: at)
                case 2: new[at] = "# " + new[at]
                case 3: new.append("0.0.0.0 host-0.example.net")  // repeats an earlier line, no final newline
                default: new[at] = String(new[at].dropLast())
                }
                if new.isEmpty { new = ["x\n"] }
            }
            let oldText = old.joined()
            let newText = new.joined()
            let context = [0, 1, 3, 3, 5].randomElement(using: &rng)!
            let gnu = try gnuDiff(oldText, newText, context: context, in: dir, round: round)
            let ours = UnifiedDiff.render(
                old: Data(oldText.utf8), new: Data(newText.utf8), oldLabel: "a", newLabel: "b", context: context)
            if ours != gnu {
                mismatches.append("round \(round) (-U\(context)):\n--- gnu\n\(gnu)\n--- ours\n\(ours)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(2).joined(separator: "\n"))")
    }

    /// Two unrelated big files cost a bounded search: the region past the cost limit is one replacement that
    /// `patch` still applies exactly.
    @Test func rewrittenFileBeyondTheCostLimitIsOneReplacement() throws {
        let old = (0..<(3 * LineDiff.costLimit)).map { "old \($0)\n" }.joined()
        let new = (0..<(3 * LineDiff.costLimit)).map { $0 % 2 == 0 ? "old \($0)\n" : "new \($0)\n" }.joined()
        let diff = UnifiedDiff.render(old: Data(old.utf8), new: Data(new.utf8), oldLabel: "a", newLabel: "b")
        let dir = try Fixtures.tempDir("diff")
        defer { try? FileManager.default.removeItem(at: dir) }
        let oldURL = dir.appendingPathComponent("old")
        let patchURL = dir.appendingPathComponent("patch")
        let outURL = dir.appendingPathComponent("out")
        try Data(old.utf8).write(to: oldURL)
        try Data(diff.utf8).write(to: patchURL)
        let patched = try ProcessRunner.run(
            ["/usr/bin/patch", "-s", "-o", outURL.path, "-i", patchURL.path, oldURL.path], workdir: nil,
            environment: ["PATH": "/usr/bin:/bin", "LC_ALL": "C"], timeout: 60, output: nil)
        #expect(patched.exitCode == 0, "\(patched.stderr)")
        #expect(try Data(contentsOf: outURL) == Data(new.utf8))
    }

    /// Files from a tiny vocabulary have many equally short diffs, where GNU's choice is its own; there the
    /// property is that `patch` turns old into new with our diff, and that ours is never longer than GNU's.
    @Test func repetitiveFilesPatchBackExactlyWithMinimalDiffs() throws {
        let dir = try Fixtures.tempDir("diff")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SystemRandomNumberGenerator()
        let vocabulary = ["a", "b", "}", "", "  - name: x", "c\r"]
        var failures: [String] = []
        for round in 0..<100 {
            let old = (0..<Int.random(in: 1...30, using: &rng)).map { _ in vocabulary.randomElement(using: &rng)! }
            var new: [String] = []
            for line in old {
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: continue
                case 1: new.append(vocabulary.randomElement(using: &rng)!)
                case 2: new += [line, vocabulary.randomElement(using: &rng)!]
                default: new.append(line)
                }
            }
            let oldText = old.joined(separator: "\n") + (Bool.random(using: &rng) ? "\n" : "")
            let newText = new.joined(separator: "\n") + (Bool.random(using: &rng) ? "\n" : "")
            let ours = UnifiedDiff.render(
                old: Data(oldText.utf8), new: Data(newText.utf8), oldLabel: "a", newLabel: "b")
            let oldURL = dir.appendingPathComponent("old\(round)")
            let newURL = dir.appendingPathComponent("new\(round)")
            let patchURL = dir.appendingPathComponent("patch\(round)")
            let outURL = dir.appendingPathComponent("out\(round)")
            try Data(oldText.utf8).write(to: oldURL)
            try Data(newText.utf8).write(to: newURL)
            try Data(ours.utf8).write(to: patchURL)
            let env = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]
            if !ours.isEmpty {
                let patched = try ProcessRunner.run(
                    ["/usr/bin/patch", "-s", "-o", outURL.path, "-i", patchURL.path, oldURL.path], workdir: nil,
                    environment: env, timeout: 30, output: nil)
                if patched.exitCode != 0 || (try? Data(contentsOf: outURL)) != Data(newText.utf8) {
                    failures.append("round \(round): patch failed: \(patched.stderr)\n\(ours)")
                }
            }
            let gnu = try ProcessRunner.run(
                ["/usr/bin/diff", "-u", "--label", "a", "--label", "b", oldURL.path, newURL.path], workdir: nil,
                environment: env, timeout: 30, output: nil)
            func edits(_ diff: String) -> Int {
                diff.utf8.split(separator: UInt8(ascii: "\n")).dropFirst(2).filter {
                    $0.first == UInt8(ascii: "+") || $0.first == UInt8(ascii: "-")
                }.count
            }
            if edits(ours) > edits(gnu.stdout) {
                failures.append("round \(round): longer than GNU's\n\(gnu.stdout)\n\(ours)")
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(2).joined(separator: "\n"))")
    }
}
