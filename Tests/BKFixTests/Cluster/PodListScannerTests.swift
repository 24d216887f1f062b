import Foundation
import Testing

@testable import BKFix

@Suite struct PodListScannerTests {
    @Test func readsTheFieldsDiagnosisNeedsFromKubectlJSON() throws {
        let pods = try PodListScanner.pods(json: Fixtures.text("diag/live/no-storage-class/pods.json"))
        #expect(pods.count == 4)
        let redis = try #require(pods.first { $0.name == "bk-redis-master-0" })
        #expect(redis.namespace == "blueking" && redis.phase == "Pending")
        #expect(redis.release == "bk-redis")
        #expect(redis.claims == ["redis-data-bk-redis-master-0"])
        #expect(redis.schedulingMessage?.contains("unbound immediate PersistentVolumeClaims") == true)
        #expect(redis.isNotReady)
        let mysql = try #require(pods.first { $0.name == "bk-mysql-mysql-0" })
        #expect(!mysql.isNotReady && mysql.containers.first?.ready == true)
        #expect(pods.first { $0.name == "bk-paas-migrate-db-x2k9q" }?.isNotReady == false)
    }

    @Test func agreesWithFoundationOnEveryRecordedScenario() throws {
        struct List: Decodable {
            var items: [Item]
            struct Item: Decodable {
                var metadata: Meta
                var status: Status
            }
            struct Meta: Decodable {
                var name: String
                var namespace: String
                var labels: [String: String]?
            }
            struct Status: Decodable {
                var phase: String
                var containerStatuses: [C]?
            }
            struct C: Decodable {
                var ready: Bool
                var restartCount: Int
            }
        }
        for scenario in LiveDiagnoserTests.scenarios {
            let text = try Fixtures.text("diag/live/\(scenario)/pods.json")
            let fast = try PodListScanner.pods(json: text)
            let slow = try JSONDecoder().decode(List.self, from: Data(text.utf8)).items
            #expect(fast.map(\.name) == slow.map(\.metadata.name))
            #expect(fast.map(\.phase) == slow.map(\.status.phase))
            #expect(fast.map(\.labels) == slow.map { $0.metadata.labels ?? [:] })
            #expect(
                fast.map(\.restarts)
                    == slow.map { ($0.status.containerStatuses ?? []).map(\.restartCount).reduce(0, +) })
        }
    }

    @Test func escapesNullsAndNamespaceFilterAreHandled() throws {
        let json = #"""
            {"kind": "List", "items": [
              {"metadata": {"name": "a\"b", "namespace": "blueking", "labels": null},
               "status": {"phase": "Running", "containerStatuses": [{"name": "m", "ready": false, "restartCount": 12,
                 "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s \u00e9"}}}]}},
              {"metadata": {"name": "other", "namespace": "default"}, "status": {"phase": "Pending"}}
            ]}
            """#
        let pods = try PodListScanner.pods(json: json, namespaces: ["blueking"])
        #expect(pods.count == 1)
        #expect(pods[0].name == "a\"b")
        #expect(pods[0].restarts == 12 && pods[0].waitingReason == "CrashLoopBackOff")
        #expect(pods[0].containers[0].waitingMessage == "back-off 5m0s é")
    }

    @Test func truncatedOrInvalidJSONThrowsWithAnOffset() {
        #expect(throws: ClusterDataError.self) { try PodListScanner.pods(json: #"{"items": [{"metadata": {"#) }
        #expect(throws: ClusterDataError.self) { try PodListScanner.pods(json: "not json") }
        #expect(throws: ClusterDataError.self) { try PodListScanner.pods(json: "") }
    }
}
