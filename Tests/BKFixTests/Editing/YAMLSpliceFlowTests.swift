import Foundation
import Testing

@testable import BKFix

/// Edits inside flow mappings: a scalar changes in place, a missing key is added as the last entry, the rest of the
/// line (or lines) stays byte for byte; what cannot be done exactly is refused naming the line.
@Suite struct YAMLSpliceFlowTests {
    func set(_ text: String, _ assignments: [(String, String)], file: String = "custom-values.yaml") throws -> String {
        try YAMLSplice.set(
            assignments.map { YAMLSplice.Assignment(YAMLSplice.path($0.0), $0.1) }, in: text, file: file)
    }

    func refusal(_ text: String, _ path: String, _ value: String = "1") -> YAMLSpliceError? {
        do {
            _ = try set(text, [(path, value)])
            return nil
        } catch let error as YAMLSpliceError {
            return error
        } catch {
            return nil
        }
    }

    static let faq = "master: {resources: {limits: {cpu: 500m, memory: 512Mi}}, persistence: {size: 20Gi}}\n"

    @Test func scalarsInsideAFlowMappingChangeInPlace() throws {
        let out = try set(
            "# 按 FAQ 调整\n" + Self.faq + "data: {}\n",
            [("master.resources.limits.cpu", "1000m"), ("master.resources.limits.memory", "1Gi")])
        #expect(
            out == "# 按 FAQ 调整\n"
                + "master: {resources: {limits: {cpu: 1000m, memory: 1Gi}}, persistence: {size: 20Gi}}\ndata: {}\n")
    }

    @Test func aMissingKeyIsAddedAsTheLastEntry() throws {
        #expect(
            try set(Self.faq, [("master.resources.requests.cpu", "100m")])
                == "master: {resources: {limits: {cpu: 500m, memory: 512Mi}, requests: {cpu: 100m}}, "
                + "persistence: {size: 20Gi}}\n")
        #expect(
            try set("master: {persistence: {size: 20Gi}}  # 只改磁盘\n", [("master.resources.limits.cpu", "1")])
                == "master: {persistence: {size: 20Gi}, resources: {limits: {cpu: 1}}}  # 只改磁盘\n")
        #expect(try set("a: { b: 1 }\n", [("a.c.d", "2")]) == "a: { b: 1, c: { d: 2 } }\n")
        #expect(try set("a: {b: {}}\n", [("a.b.c", "x")]) == "a: {b: {c: x}}\n")
        #expect(try set("a: {b: { }}\n", [("a.b.c", "x")]) == "a: {b: { c: x }}\n")
        #expect(try set("a: {b: 1, }\n", [("a.c", "2")]) == "a: {b: 1, c: 2, }\n")
    }

    @Test func emptyAndJSONStyleEntriesAreFilledInTheirOwnStyle() throws {
        #expect(try set("a: {b: , c: 1}\n", [("a.b", "x")]) == "a: {b: x, c: 1}\n")
        #expect(try set("a: {b, c: 1}\n", [("a.b", "x")]) == "a: {b: x, c: 1}\n")
        #expect(
            try set("a: {\"cpu\":\"500m\",\"memory\":'1Gi'}\n", [("a.cpu", "2")])
                == "a: {\"cpu\":\"2\",\"memory\":'1Gi'}\n")
        #expect(
            try YAMLSplice.set(
                ["labels", "app.kubernetes.io/name"], to: "es", in: "labels: {\"app.kubernetes.io/name\": x}\n",
                file: "f")
                == "labels: {\"app.kubernetes.io/name\": es}\n")
    }

    @Test func valuesThatWouldBreakTheFlowAreQuoted() throws {
        #expect(try set("a: {b: 1}\n", [("a.b", "x,y")]) == "a: {b: \"x,y\"}\n")
        #expect(try set("a: {b: 1}\n", [("a.c", "[x]")]) == "a: {b: 1, c: \"[x]\"}\n")
        #expect(try set("a: {b: 1}\n", [("a.c}", "v")]) == "a: {b: 1, \"c}\": v}\n")
    }

    @Test func multiLineFlowMappingsKeepOneEntryPerLine() throws {
        let text = """
            resources: {
              # 限制
              limits: {cpu: 1, memory: 2Gi},
              requests: {cpu: 100m}
            }
            other: 1

            """
        #expect(
            try set(text, [("resources.requests.memory", "1Gi")])
                == text.replacing("requests: {cpu: 100m}", with: "requests: {cpu: 100m, memory: 1Gi}"))
        #expect(
            try set(text, [("resources.extra", "true")])
                == text.replacing("requests: {cpu: 100m}\n", with: "requests: {cpu: 100m},\n  extra: true\n"))
        let trailing = "r: {\n    a: 1,\n    b: 2,\n}\n"
        #expect(try set(trailing, [("r.c", "3")]) == "r: {\n    a: 1,\n    b: 2,\n    c: 3,\n}\n")
        #expect(try set("r: {a: 1,\n  b: 2}\n", [("r.c", "3")]) == "r: {a: 1,\n  b: 2, c: 3}\n")
        #expect(try set("r: {a: 1,\r\n  b: 2}\r\n", [("r.b", "4")]) == "r: {a: 1,\r\n  b: 4}\r\n")
    }

    /// A multi-line flow sequence (`args: [` ... `]` at the key's indent) no longer makes every edit of the file
    /// fail: it is read to its end, and only a path into it is refused.
    @Test func multiLineFlowSequencesAnywhereDoNotBlockOtherEdits() throws {
        let text = """
            image:
              tag: 1.2.3
            args: [
              "--port=9200",
              "--cluster", # 集群名
            ]
            containers:
              - name: es
                args: [
                  --foo,
                  --bar
                ]
                env: {A: 1,
              B: 2}
            resources:
              limits: {cpu: 1}

            """
        #expect(try set(text, [("image.tag", "1.2.4")]) == text.replacing("tag: 1.2.3", with: "tag: 1.2.4"))
        #expect(
            try set(text, [("resources.limits.memory", "1Gi")])
                == text.replacing("limits: {cpu: 1}", with: "limits: {cpu: 1, memory: 1Gi}"))
        #expect(try set(text, [("zz", "1")]) == text + "zz: 1\n")
        #expect(refusal(text, "args.x") == .hitsSequence(file: "custom-values.yaml", path: "args", line: 3))
        #expect(
            refusal(text, "args")
                == .notAScalar(file: "custom-values.yaml", path: "args", line: 3, found: "a flow sequence"))
    }

    @Test func aFlowSequenceInsideABlockSequenceMayCloseAtTheSequencesIndent() throws {
        let text = "containers:\n- name: es\n  args: [\n    --foo,\n  --bar\n]\n- name: sidecar\nimage:\n  tag: 1\n"
        #expect(try set(text, [("image.tag", "2")]) == text.replacing("tag: 1", with: "tag: 2"))
        #expect(try set(text, [("image.pullPolicy", "Always")]) == text + "  pullPolicy: Always\n")
    }

    /// Charts formatted by prettier put an empty collection on the line after its key.
    @Test func aFlowCollectionOnTheLineAfterItsKeyIsEditedThere() throws {
        let text = "podAnnotations:\n  {}\n  # prometheus.io/scrape: \"true\"\nextraVolumes:\n  []\nreplicas: 1\n"
        #expect(
            try set(text, [("podAnnotations.team", "search")])
                == text.replacing("  {}\n", with: "  {team: search}\n"))
        #expect(try set(text, [("replicas", "2")]) == text.replacing("replicas: 1", with: "replicas: 2"))
        #expect(
            refusal(text, "podAnnotations")
                == .notAScalar(file: "custom-values.yaml", path: "podAnnotations", line: 1, found: "a flow mapping"))
        #expect(
            refusal(text, "extraVolumes.x") == .hitsSequence(file: "custom-values.yaml", path: "extraVolumes", line: 4))
    }

    @Test func whatCannotBeDoneExactlyIsRefusedNamingTheLine() {
        let file = "custom-values.yaml"
        // A template between a multi-line mapping's entries may emit the key: no insertion next to it.
        let templated = "labels: {\n  app: es,\n  {{- include \"extra\" . | nindent 2 }}\n}\n"
        #expect(refusal(templated, "labels.tier") == .ambiguousTemplate(file: file, path: "labels.tier", line: 3))
        #expect(
            refusal("labels: {app: es, {{ .Values.k }}: v}\n", "labels.tier")
                == .ambiguousTemplate(file: file, path: "labels.tier", line: 1))
        #expect(refusal("a: {b: {{ .Values.b }}}\n", "a.b") == .templated(file: file, path: "a.b", line: 1))
        #expect(
            refusal("x: &x 1\na: {b: *x}\n", "a.b")
                == .notAScalar(file: file, path: "a.b", line: 2, found: "an alias (*name)"))
        #expect(
            refusal("a: {b: \"two\n  lines\"}\n", "a.b")
                == .notAScalar(file: file, path: "a.b", line: 1, found: "a multi-line scalar"))
        #expect(refusal("a: {b: [1, 2]}\n", "a.b.c") == .hitsSequence(file: file, path: "a.b", line: 1))
        #expect(refusal("a: {b: 1}\n", "a.b.c") == .scalarInTheWay(file: file, path: "a.b", line: 1))
        #expect(
            refusal("a: {b: {c: 1}}\n", "a.b") == .notAScalar(file: file, path: "a.b", line: 1, found: "a flow mapping")
        )
        // Set exactly, the existing key next to a template is still fine.
        #expect(
            (try? set(templated, [("labels.app", "kibana")])) == templated.replacing("app: es", with: "app: kibana"))
    }

    @Test func anAnchoredFlowScalarThatAnAliasRepeatsIsRefusedByVerification() {
        guard case .verificationFailed = refusal("a: {b: &x 1}\nc: *x\n", "a.b", "2") else {
            Issue.record("expected a verification refusal")
            return
        }
    }
}
