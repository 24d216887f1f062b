import Foundation
import Synchronization
import Testing

@testable import BKFix

/// A fake cluster answering `kubectl get sc/pv -o json` from fixtures the test can switch.
final class FakeCluster: Sendable {
    let storageClasses: Mutex<String>
    let persistentVolumes: String

    init(sc: String, pv: String = "k8s/sc-empty.json") throws {
        storageClasses = Mutex(try Fixtures.text("host/\(sc)"))
        persistentVolumes = try Fixtures.text("host/\(pv)")
    }

    func transport(readOnly: Bool = false) -> MemoryTransport {
        let t = MemoryTransport(readOnly: readOnly) { [self] argv in
            switch argv {
            case ["kubectl", "get", "sc", "-o", "json"]: return HostTestSupport.ok(argv, storageClasses.withLock { $0 })
            case ["kubectl", "get", "pv", "-o", "json"]: return HostTestSupport.ok(argv, persistentVolumes)
            default: return HostTestSupport.fail(argv, 127, stderr: "unexpected \(argv)")
            }
        }
        t.setFile(
            "/root/bkce7.1-install/blueking/00-localpv.yaml.gotmpl",
            Data("releases:\n  - name: localpv\n    namespace: kube-system\n".utf8))
        return t
    }
}

@Suite struct LocalPVSyncStepTests {
    typealias S = HostTestSupport

    @Test func noStorageClassPlansTheLocalpvSyncInTheWorkDir() throws {
        let t = try FakeCluster(sc: "k8s/sc-empty.json").transport(readOnly: true)
        let plan = try LocalPVSyncStep.plan(S.args("localpv-sync"), in: S.context(t))
        let sync = try #require(S.commandChanges(plan).first)
        #expect(sync.argv == ["helmfile", "-f", "00-localpv.yaml.gotmpl", "sync"])
        #expect(sync.workdir == "/root/bkce7.1-install/blueking")
        #expect(sync.risk == .reversible)
        let destroy = try #require(sync.undo.first)
        #expect(destroy.argv == ["helmfile", "-f", "00-localpv.yaml.gotmpl", "destroy"])
        #expect(destroy.risk == .irreversible)
        #expect(destroy.confirmWord == "localpv")
        #expect(plan.notes.first == "the cluster has no StorageClass")
        #expect(t.commands.allSatisfy { $0.first == "kubectl" && $0[1] == "get" })
        #expect(t.writes.isEmpty)
    }

    @Test func existingPersistentVolumesAddADataWarningToTheUndo() throws {
        let t = try FakeCluster(sc: "k8s/sc-nodefault.json", pv: "k8s/pv-list.json").transport()
        let plan = try LocalPVSyncStep.plan(S.args("localpv-sync"), in: S.context(t))
        #expect(plan.notes.first == "no StorageClass is the default: nfs-client")
        let warning =
            "rollback destroys localpv: 2 PersistentVolumes exist (local-pv-2c8f1a3b, local-pv-91d04e7c) and their data may become unusable"
        #expect(plan.notes.contains(warning))
        #expect(S.commandChanges(plan).first?.undo.first?.summary == warning)
    }

    @Test func aDefaultStorageClassMeansNothingToDo() throws {
        let t = try FakeCluster(sc: "k8s/sc-default.json").transport()
        let plan = try LocalPVSyncStep.plan(S.args("localpv-sync"), in: S.context(t))
        #expect(plan.changes.isEmpty)
        #expect(
            plan.notes == [
                "default StorageClass local-storage (kubernetes.io/no-provisioner) exists; localpv is not needed"
            ])
    }

    @Test func aMissingHelmfileOrInstallDirIsRefused() throws {
        let t = try FakeCluster(sc: "k8s/sc-empty.json").transport()
        #expect(
            throws: StepError.cannotPlan(
                step: "localpv-sync", reason: "/root/bkce7.1-install/blueking/01-other.yaml.gotmpl does not exist")
        ) {
            try LocalPVSyncStep.plan(
                S.args("localpv-sync", ["file": .string("01-other.yaml.gotmpl")]), in: S.context(t))
        }
        #expect(
            throws: StepError.cannotPlan(
                step: "localpv-sync", reason: "the BlueKing install dir is unknown; pass --install-dir")
        ) {
            try LocalPVSyncStep.plan(S.args("localpv-sync"), in: S.context(t, installDir: nil))
        }
    }

    @Test func aFailingKubectlIsReportedWithItsStderr() {
        let t = MemoryTransport { argv in
            S.fail(argv, 1, stderr: "The connection to the server localhost:8080 was refused\n")
        }
        #expect(
            throws: StepError.cannotPlan(
                step: "localpv-sync",
                reason:
                    "`kubectl get sc -o json` failed (exit 1): The connection to the server localhost:8080 was refused")
        ) {
            try LocalPVSyncStep.plan(S.args("localpv-sync"), in: S.context(t))
        }
    }

    @Test func theDefaultStorageClassCheckFollowsTheCluster() throws {
        let cluster = try FakeCluster(sc: "k8s/sc-empty.json")
        let t = cluster.transport()
        let before = try DefaultStorageClassCheck.check(S.args("default-storageclass"), in: S.context(t))
        #expect(!before.ok)
        #expect(before.detail == "no default StorageClass (classes: none)")
        cluster.storageClasses.withLock { $0 = try! Fixtures.text("host/k8s/sc-default.json") }
        let after = try DefaultStorageClassCheck.check(S.args("default-storageclass"), in: S.context(t))
        #expect(after.ok)
        #expect(after.detail == "default StorageClass local-storage")
        let wrongName = try DefaultStorageClassCheck.check(
            S.args("default-storageclass", ["name": .string("ceph-rbd")]), in: S.context(t))
        #expect(!wrongName.ok)
        let again = try LocalPVSyncStep.plan(S.args("localpv-sync"), in: S.context(t))
        #expect(again.changes.isEmpty)
    }

    @Test func storageClassesReadTheBetaAnnotationAndBadJSON() throws {
        let beta = try StorageClasses(
            json:
                #"{"items":[{"metadata":{"name":"a","annotations":{"storageclass.beta.kubernetes.io/is-default-class":"true"}},"provisioner":"p"}]}"#
        )
        #expect(beta.defaultClass?.name == "a")
        #expect(throws: ClusterJSONError.self) { try StorageClasses(json: "No resources found") }
    }
}
