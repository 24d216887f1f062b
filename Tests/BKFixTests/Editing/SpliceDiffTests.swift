import Foundation
import Testing

@testable import BKFix

/// The golden span check itself must catch collateral changes, or the goldens prove nothing.
@Suite struct SpliceDiffSelfTests {
    let assignments = [YAMLSplice.Assignment(["a", "b"], "2")]

    @Test func acceptsAnEditOfOnlyTheTargetScalar() {
        SpliceDiff.expectOnlyEditedSpansChanged(
            input: "# 注释\na:\n  b: 1   # keep\n", output: "# 注释\na:\n  b: 2   # keep\n", assignments: assignments)
    }

    @Test func flagsAChangedComment() {
        withKnownIssue {
            SpliceDiff.expectOnlyEditedSpansChanged(
                input: "# 注释\na:\n  b: 1\n", output: "#注释\na:\n  b: 2\n", assignments: assignments)
        }
    }

    @Test func flagsALostTrailingComment() {
        withKnownIssue {
            SpliceDiff.expectOnlyEditedSpansChanged(
                input: "a:\n  b: 1   # keep\n", output: "a:\n  b: 2\n", assignments: assignments)
        }
    }

    @Test func flagsAnUnrelatedInsertedLine() {
        withKnownIssue {
            SpliceDiff.expectOnlyEditedSpansChanged(
                input: "a:\n  b: 1\n", output: "a:\n  b: 2\nc: 3\n", assignments: assignments)
        }
    }

    @Test func flagsALostCRLF() {
        withKnownIssue {
            SpliceDiff.expectOnlyEditedSpansChanged(
                input: "a:\r\n  b: 1\r\n", output: "a:\r\n  b: 2\n", assignments: assignments)
        }
    }
}
