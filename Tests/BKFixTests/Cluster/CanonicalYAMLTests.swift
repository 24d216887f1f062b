import Foundation
import Testing

@testable import BKFix

/// The YAML cluster objects are recorded as: same object, same bytes; read back, the same value.
@Suite struct CanonicalYAMLTests {
    static let configMap = """
        {
            "apiVersion": "v1",
            "data": {
                "allow-snippet-annotations": "false",
                "nginx.conf": "worker_processes 4;\\nevents {\\n    worker_connections 1024;\\n}\\n",
                "proxy-body-size": "2G",
                "use-forwarded-headers": "true",
                "ports": "10250",
                "yes": "on"
            },
            "kind": "ConfigMap",
            "metadata": {
                "annotations": {"meta.helm.sh/release-name": "ingress-nginx"},
                "creationTimestamp": "2023-03-01T08:12:41Z",
                "labels": {"app.kubernetes.io/version": "1.2.1", "helm.sh/chart": "ingress-nginx-4.1.4"},
                "name": "ingress-nginx-controller",
                "namespace": "ingress-nginx",
                "resourceVersion": "1804",
                "uid": "c5f4a2b8-3d0e-4c4c-9f7e-0d8f0a9b1c2d"
            }
        }
        """

    @Test func rendersSortedBlockYAMLQuotingWhatCouldReadAsSomethingElse() throws {
        let value = try KubeValue.parse(json: Self.configMap, what: "test")
        let text = CanonicalYAML.render(value)
        #expect(text.hasPrefix("apiVersion: v1\ndata:\n  allow-snippet-annotations: \"false\"\n"))
        #expect(
            text.contains(
                "  nginx.conf: |\n    worker_processes 4;\n    events {\n        worker_connections 1024;\n    }\n"))
        #expect(text.contains("  ports: \"10250\"\n"))
        #expect(text.contains("  \"yes\": \"on\"\n"))
        #expect(text.contains("  creationTimestamp: \"2023-03-01T08:12:41Z\"\n"))
        #expect(text.contains("    app.kubernetes.io/version: \"1.2.1\"\n"))
        #expect(try CanonicalYAML.parse(text, what: "test") == value)
    }

    @Test(arguments: [
        "", " leading space", "trailing space ", "a\nb", "a\nb\n", "a\n\n", "\nstarts with newline", "tab\tinside",
        "x: y", "- item", "#comment", "null", "~", "Y", "0x10", "1e3", "1.0", "2023-01-01", "中文", "a\r\nb",
        "quote \" and \\ backslash", "bell \u{07}", "line\n  indented\n\nblank above", "ends\n  ", "*alias", "&anchor",
        "!tag", "%directive", "@at", "`tick", "{flow}", "[flow]", "key: value\n", "Upgrade complete", "two  spaces",
        "on off", "yes", "a #b", "a: b",
    ])
    func everyStringReadsBackAsItself(_ s: String) throws {
        let value = KubeValue.object(["k": .string(s), "list": .array([.string(s), .object(["in": .string(s)])])])
        #expect(try CanonicalYAML.parse(CanonicalYAML.render(value), what: "test") == value)
    }

    @Test func numbersBooleansNullsAndNestingReadBack() throws {
        let value = KubeValue.object([
            "int": .int(-42), "big": .int(9_007_199_254_740_993), "double": .double(0.5), "exp": .double(1e-5),
            "whole": .double(3), "t": .bool(true), "f": .bool(false), "none": .null, "empty": .object([:]),
            "nothing": .array([]),
            "nested": .array([.array([.int(1), .int(2)]), .object(["a": .object(["b": .int(1)])])]),
        ])
        #expect(try CanonicalYAML.parse(CanonicalYAML.render(value), what: "test") == value)
    }

    @Test func jsonKeepsBooleansAndNumbersApart() throws {
        let value = try KubeValue.parse(json: #"{"a": true, "b": 1, "c": 1.5, "d": "1", "e": null}"#, what: "t")
        #expect(value == .object(["a": .bool(true), "b": .int(1), "c": .double(1.5), "d": .string("1"), "e": .null]))
    }

    @Test func notJSONNamesTheCommand() {
        #expect(throws: KubeValueError.self) { try KubeValue.parse(json: "Error: not json", what: "kubectl get cm") }
    }

    @Test func mergePatchSetsChangedRemovesAbsentAndLeavesTheRest() {
        let old = KubeValue.object([
            "data": .object(["a": .string("1"), "gone": .string("x"), "same": .string("s")]),
            "metadata": .object(["labels": .object(["l": .string("v")])]),
        ])
        let new = KubeValue.object([
            "data": .object(["a": .string("2"), "new": .string("n"), "same": .string("s")]),
            "metadata": .object(["labels": .object(["l": .string("v")])]),
        ])
        #expect(
            KubeValue.mergePatch(from: old, to: new)
                == .object(["data": .object(["a": .string("2"), "gone": .null, "new": .string("n")])]))
        #expect(KubeValue.mergePatch(from: old, to: old) == nil)
        #expect(
            KubeValue.mergePatch(from: old, to: new)?.compactJSON == #"{"data":{"a":"2","gone":null,"new":"n"}}"#)
    }
}

@Suite struct ClusterPathTests {
    @Test func objectAndHelmPathsRoundTrip() throws {
        for path in [
            ClusterPath.object(namespace: "ingress-nginx", kind: "configmap", name: "ingress-nginx-controller"),
            .helmHistory(namespace: "blueking", release: "bk-paas"),
            .helmStatus(namespace: "blueking", release: "bk-paas"),
        ] {
            #expect(try ClusterPath(path.path) == path)
        }
        #expect(try ClusterPath("/helm/blueking/bk-paas/history.yaml").isObservation)
        #expect(try !ClusterPath("/ns/configmap/x.yaml").isObservation)
    }

    @Test(arguments: [
        "/ns/configmap", "/ns/configmap/x.json", "/../configmap/x.yaml", "/ns/kind/a/b.yaml", "ns/k/x.yaml",
        "/helm/ns/rel/values.yaml", "/ns//x.yaml", "/ns/k/.yaml",
    ])
    func badPathsAreRefused(_ path: String) {
        #expect(throws: ClusterTransportError.badPath(path)) { try ClusterPath(path) }
    }

    @Test func hostsAndRepoFoldersOfContexts() {
        #expect(ClusterPath.host(context: "kubernetes-admin@kubernetes") == "cluster:kubernetes-admin@kubernetes")
        #expect(ClusterPath.context(ofHost: "cluster:ctx") == "ctx")
        #expect(ClusterPath.context(ofHost: "control") == nil)
        #expect(ClusterPath.context(ofHost: "cluster:") == nil)
        let arn = "arn:aws:eks:ap-east-1:1234:cluster/bk%prod"
        let folder = ClusterPath.repoFolder(ofHost: ClusterPath.host(context: arn))
        #expect(folder == "cluster/arn:aws:eks:ap-east-1:1234:cluster%2Fbk%25prod")
        #expect(ClusterPath.host(repoFolder: String(folder!.dropFirst("cluster/".count))) == "cluster:" + arn)
        #expect(ClusterPath.repoFolder(ofHost: "cluster:..") == "cluster/%2E%2E")
        #expect(RunStore.hostPath("cluster:ctx", "/ns/configmap/x.yaml") == "cluster/ctx/ns/configmap/x.yaml")
        #expect(RunStore.hostPath("control", "/etc/hosts") == "hosts/control/etc/hosts")
    }
}

@Suite struct TimeSpanTests {
    @Test func parsesSystemdStyleSpans() {
        #expect(TimeSpan("2h")?.seconds == 7200)
        #expect(TimeSpan("1h30m")?.seconds == 5400)
        #expect(TimeSpan("90s")?.description == "1m30s")
        #expect(TimeSpan("1d")?.seconds == 86400)
        for bad in ["", "2", "0m", "h", "2x", "30m1h", "1h1h", "-1h", "1.5h"] {
            #expect(TimeSpan(bad) == nil, "\(bad)")
        }
    }
}
