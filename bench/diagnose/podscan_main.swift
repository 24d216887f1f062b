// Stand-alone driver of bkfix's pod-list scanner for the benchmark (compiled by run.sh with swiftc -O together with
// Sources/BKFix/Cluster/{JSONCursor,PodListScanner,PodSummary}.swift), used until `bkfix diagnose --live` is built.
// Prints one line per not-Ready pod in the BlueKing namespaces: namespace, name, release, case.
import Foundation

let namespaces: Set<String> = ["blueking", "bcs-system", "bkmonitor-operator", "ingress-nginx", "kube-system"]
let data = try Data(contentsOf: URL(fileURLWithPath: CommandLine.arguments[1]), options: .alwaysMapped)
let pods = try data.withUnsafeBytes { try PodListScanner.pods(bytes: $0.bindMemory(to: UInt8.self), namespaces: namespaces) }
var out = ""
for pod in pods where pod.isNotReady {
    let reason = pod.waitingReason ?? ""
    let kase: String
    if reason == "CrashLoopBackOff" {
        kase = "pod-crashloop"
    } else if reason == "ErrImagePull" || reason == "ImagePullBackOff" {
        kase = "image-pull"
    } else if pod.phase == "Pending" {
        kase = "pod-pending"
    } else if pod.phase == "Running" && pod.restarts > 3 {
        kase = "pod-start-timeout"
    } else {
        kase = "not-ready"
    }
    out += "\(pod.namespace)\t\(pod.name)\t\(pod.release ?? "")\t\(kase)\n"
}
FileHandle.standardOutput.write(Data(out.utf8))
