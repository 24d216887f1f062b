import Foundation
import Testing

@testable import BKFix

/// Edits the editor must refuse with a clear error instead of guessing.
@Suite struct YAMLSpliceRefusalTests {
    func refusal(_ fixture: String, _ path: String, _ value: String = "1") throws -> YAMLSpliceError? {
        let text = try Fixtures.text("yaml/values/\(fixture)")
        do {
            _ = try YAMLSplice.set(YAMLSplice.path(path), to: value, in: text, file: fixture)
            return nil
        } catch let error as YAMLSpliceError {
            return error
        }
    }

    @Test func targetInsideIfBlockIsRefused() throws {
        let error = try refusal("templated.yaml.gotmpl", "resources.limits.cpu")
        #expect(
            error == .underTemplate(file: "templated.yaml.gotmpl", path: "resources.limits", line: 6, templateLine: 5))
        #expect(error?.localizedDescription.contains("templated.yaml.gotmpl:6") == true)
    }

    @Test func targetInElseBranchIsRefused() throws {
        #expect(try refusal("templated.yaml.gotmpl", "resources.requests.cpu") != nil)
    }

    @Test func keyInsideConditionalTopLevelBlockIsRefused() throws {
        let error = try refusal("bkjob-values.yaml.gotmpl", "mongodb.maxPoolSize", "200")
        #expect(error == .underTemplate(file: "bkjob-values.yaml.gotmpl", path: "mongodb", line: 36, templateLine: 35))
    }

    @Test func templatedValueIsRefused() throws {
        let error = try refusal("templated.yaml.gotmpl", "plain.cpu", "2")
        #expect(error == .templated(file: "templated.yaml.gotmpl", path: "plain.cpu", line: 17))
    }

    @Test func missingKeyBesideTemplatedKeyIsRefused() throws {
        let error = try refusal("templated.yaml.gotmpl", "newTop.key")
        #expect(error == .ambiguousTemplate(file: "templated.yaml.gotmpl", path: "newTop", line: 3))
    }

    @Test func insertUnderToYamlInjectionIsRefused() throws {
        let error = try refusal("templated.yaml.gotmpl", "extra.key")
        #expect(error == .ambiguousTemplate(file: "templated.yaml.gotmpl", path: "extra", line: 14))
    }

    @Test func fileThatIsNotYAMLIsRefused() throws {
        let error = try refusal("not-yaml.yaml", "key")
        guard case .notYAML(let file, _, _) = error else {
            Issue.record("expected notYAML, got \(String(describing: error))")
            return
        }
        #expect(file == "not-yaml.yaml")
    }

    @Test func plainTextIsRefusedAsNotAMapping() {
        #expect(throws: YAMLSpliceError.self) {
            _ = try YAMLSplice.set(["a"], to: "1", in: "just some words\nand more words\n", file: "notes.txt")
        }
    }

    @Test func pathThroughBlockSequenceIsRefused() throws {
        let error = try refusal("quirks.yaml", "worker.command.first")
        #expect(error == .hitsSequence(file: "quirks.yaml", path: "worker.command", line: 14))
    }

    @Test func pathThroughFlowSequenceIsRefused() throws {
        let error = try refusal("quirks.yaml", "worker.ports.http")
        #expect(error == .hitsSequence(file: "quirks.yaml", path: "worker.ports", line: 10))
    }

    @Test func pathThroughHelmfileReleaseListIsRefused() throws {
        let error = try refusal("multi-doc.yaml", "releases.name", "x")
        #expect(error == .hitsSequence(file: "multi-doc.yaml", path: "releases", line: 7))
    }

    @Test func mappingWhereScalarExpectedIsRefused() throws {
        let error = try refusal("elasticsearch-values.yaml.gotmpl", "master.resources", "2")
        #expect(
            error
                == .notAScalar(
                    file: "elasticsearch-values.yaml.gotmpl", path: "master.resources", line: 15, found: "a mapping"))
        #expect(error?.localizedDescription.contains("not a scalar") == true)
    }

    @Test func flowMappingWhereScalarExpectedIsRefused() throws {
        let error = try refusal("quirks.yaml", "worker.labels", "x")
        #expect(error == .notAScalar(file: "quirks.yaml", path: "worker.labels", line: 11, found: "a flow mapping"))
    }

    @Test func blockScalarTargetIsRefused() throws {
        let error = try refusal("mysql-values.yaml.gotmpl", "master.config", "x")
        #expect(
            error
                == .notAScalar(
                    file: "mysql-values.yaml.gotmpl", path: "master.config", line: 19, found: "a block scalar (| or >)")
        )
    }

    @Test func scalarOnThePathIsRefused() throws {
        let error = try refusal("elasticsearch-values.yaml.gotmpl", "name.first", "x")
        #expect(error == .scalarInTheWay(file: "elasticsearch-values.yaml.gotmpl", path: "name", line: 10))
    }

    @Test func anchoredScalarUsedByAliasIsRefusedByVerification() throws {
        let error = try refusal("quirks.yaml", "worker.cpuLimit", "4")
        guard case .verificationFailed = error else {
            Issue.record("expected verificationFailed, got \(String(describing: error))")
            return
        }
    }

    @Test func multiLineValueIsRefused() {
        #expect(throws: YAMLSpliceError.badRequest(file: "f.yaml", reason: "the value for a spans lines")) {
            _ = try YAMLSplice.set(["a"], to: "x\ny", in: "a: 1\n", file: "f.yaml")
        }
    }

    @Test func emptyPathKeyIsRefused() {
        #expect(throws: YAMLSpliceError.self) {
            _ = try YAMLSplice.set(["a", ""], to: "1", in: "a: 1\n", file: "f.yaml")
        }
    }

    @Test func duplicateKeysAreRefused() {
        #expect(throws: YAMLSpliceError.self) {
            _ = try YAMLSplice.set(["a"], to: "2", in: "a: 1\na: 3\n", file: "f.yaml")
        }
    }
}
