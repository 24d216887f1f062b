import Foundation

/// `localpv-free`: how much room the localpv folder has on the host (`df -B1` in `localpv.hostDir` of the work dir's
/// values, default `/mnt/blueking`) and which pending claims (`kubectl get pvc -A -o json`, of the localpv class or
/// none) it could hold, or how many GiB it lacks for each. Changes nothing: its rows are notes of the plan.
public enum LocalPVFreeStep: StepKind {
    public static let name = "localpv-free"
    public static let requiredKeys: Set<String> = []
    public static let optionalKeys: Set<String> = ["dir", "release", "class"]
    public static let defaultDir = "/mnt/blueking"
    public static let defaultClass = "local-storage"

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let dir = try args.optionalString("dir") ?? hostDir(in: context)
        let release = try args.optionalString("release")
        let host = context.host
        var claims: [ClaimRequest] = []
        var unread: String?
        do {
            claims = try pendingClaims(
                release: release, storageClass: try args.optionalString("class") ?? defaultClass, in: context)
        } catch let error as KubectlError {
            // The free space alone is still worth showing.
            unread = error.localizedDescription
        }
        guard let space = try DiskFree.read(dir, on: context.transport) else {
            return StepPlan(notes: [
                context.text(
                    zh: "localpv \(host)：没有目录 \(dir)，不能存放任何 PVC",
                    en: "localpv \(host): \(dir) does not exist; it holds no claim")
            ])
        }
        var notes = [
            context.text(
                zh:
                    "localpv \(host)：\(dir) 剩余 \(ClaimRequest.gib(space.available))，共 \(ClaimRequest.gib(space.size))（\(space.filesystem) 挂载于 \(space.mountedOn)）",
                en: "localpv \(host): \(dir) has \(ClaimRequest.gib(space.available)) free of "
                    + "\(ClaimRequest.gib(space.size)) (\(space.filesystem) on \(space.mountedOn))")
        ]
        for claim in claims {
            let label = "\(claim.namespace)/\(claim.name) (\(claim.request ?? "?"))"
            guard let bytes = claim.bytes else { continue }
            if bytes <= space.available {
                notes.append(
                    context.text(zh: "localpv \(host)：可以存放 \(label)", en: "localpv \(host): can hold \(label)"))
            } else {
                let missing = ClaimRequest.gib(bytes - space.available)
                notes.append(
                    context.text(
                        zh: "localpv \(host)：放不下 \(label)，还差 \(missing)",
                        en: "localpv \(host): cannot hold \(label): \(missing) missing"))
            }
        }
        if let unread {
            notes.append(
                context.text(
                    zh: "localpv \(host)：读不到 PVC，无法判断能放下哪些：\(unread)",
                    en: "localpv \(host): cannot tell which claims fit, the claims could not be read: \(unread)"))
        } else if claims.isEmpty {
            notes.append(
                context.text(
                    zh: "localpv \(host)：没有等待绑定的 PVC", en: "localpv \(host): no claim is waiting for a volume"))
        }
        return StepPlan(notes: notes)
    }

    /// `localpv.hostDir` of the work dir's environment values, else `/mnt/blueking`.
    static func hostDir(in context: PlanContext) throws -> String {
        guard let installDir = context.installDir,
            let workDir = try? BlueKingWorkDir.locate(installDir: installDir, transport: context.control)
        else { return defaultDir }
        return workDir.localPVHostDir ?? defaultDir
    }

    /// Pending claims of the localpv class (or of no class: the default one), of the release when given.
    static func pendingClaims(release: String?, storageClass: String, in context: PlanContext) throws
        -> [ClaimRequest]
    {
        try ClaimRequest.query(on: context.control).filter { claim in
            claim.isPending && [nil, "", storageClass].contains(claim.storageClass)
                && (release.map { claim.belongs(to: $0) } ?? true)
        }
    }
}
