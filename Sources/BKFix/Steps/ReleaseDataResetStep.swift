import Foundation

/// `release-data-reset`: throws away a release's persistent data and deploys it again, as BlueKing's guide does for
/// a redis-cluster that will not recover (deploy-pod-unready.md): `helmfile destroy` of the release (its pods must
/// be gone, or Kubernetes keeps their claims until they are), `kubectl delete pvc -l app.kubernetes.io/instance=
/// RELEASE`, then `helmfile sync`. The plan lists the claims with their sizes and says in red that their data is
/// lost; the delete is irreversible and confirmed with the release name. Nothing is planned when the release has
/// no claim, or when all its pods are ready (then there is nothing to repair; `force: true` resets anyway).
///
/// Args: `release`, `namespace`, `file`, `context` as `helm-release`; `force`.
public enum ReleaseDataResetStep: StepKind {
    public static let name = "release-data-reset"
    public static let requiredKeys: Set<String> = ["release"]
    public static let optionalKeys: Set<String> = ["namespace", "file", "context", "force"]

    public static func plan(_ args: StepArgs, in context: PlanContext) throws -> StepPlan {
        let target = try ReleaseTarget(args, in: context)
        let force = try args.bool("force", default: false)
        let zh = context.language == .zh
        let selector = "app.kubernetes.io/instance=\(target.release)"
        let kubectl = ClusterContext.kubectl(target.clusterContext, in: context)
        let claimsJSON = try kubectl.run(["get", "pvc", "-n", target.namespace, "-l", selector, "-o", "json"])
        let claims: [PVCList.Claim]
        do {
            claims = try JSONDecoder().decode(PVCList.self, from: Data(claimsJSON.utf8)).items
        } catch {
            throw StepError.cannotPlan(step: name, reason: "kubectl get pvc did not print a PVC list: \(error)")
        }
        guard !claims.isEmpty else {
            return StepPlan(notes: [
                zh
                    ? "\(target.release) 在命名空间 \(target.namespace) 中没有 PVC（\(selector)），没有数据可清除"
                    : "\(target.release) has no PersistentVolumeClaim in \(target.namespace) (\(selector)); no data to reset"
            ])
        }
        let pods: [ReleasePod]
        do {
            pods = try ReleasePod.parse(
                try kubectl.run(["get", "pod", "-n", target.namespace, "-l", selector, "-o", "json"]))
        } catch let error as ReleasePodsError {
            throw StepError.cannotPlan(step: name, reason: error.localizedDescription)
        }
        var notes = [claimTable(claims), podSummary(pods, zh: zh)]
        if !force, !pods.isEmpty, pods.allSatisfy(\.ready) {
            notes.append(
                zh
                    ? "\(target.release) 的 \(pods.count) 个 pod 全部就绪，清除数据只会丢失数据；确需清除请加 -p force=true"
                    : "all \(pods.count) pods of \(target.release) are ready: resetting would only lose data; "
                        + "give -p force=true to reset anyway")
            return StepPlan(notes: notes)
        }
        let total = totalSize(claims)
        let names = claims.map(\.metadata.name).joined(separator: ", ")
        let warning =
            zh
            ? "数据丢失：将删除 \(target.release) 的 \(claims.count) 个 PVC（共 \(total)）：\(names)。其中的数据无法恢复，回滚也不能找回"
            : "DATA LOSS: deletes the \(claims.count) PersistentVolumeClaims of \(target.release) (\(total) in all): "
                + "\(names). Their data cannot be recovered, not even by a rollback"
        notes.append(
            zh
                ? "先 destroy release，否则仍在使用 PVC 的 pod 会让 PVC 一直处于 Terminating"
                : "the release is destroyed first: Kubernetes keeps a claim that a pod still uses (Terminating) until "
                    + "the pod is gone")
        let delete = target.irreversible(
            target.kubectl(["delete", "pvc", "-n", target.namespace, "-l", selector]),
            summary: Localized(
                zh: "删除 \(target.release) 的 \(claims.count) 个 PVC（数据丢失，不可撤销）",
                en:
                    "delete the \(claims.count) PersistentVolumeClaims of \(target.release) (data loss, cannot be undone)"
            ),
            effect: Localized(
                zh: "\(target.release) 的 PVC 已删除，数据已丢失",
                en: "the PersistentVolumeClaims of \(target.release) were deleted, with their data"),
            context: context)
        return StepPlan(
            changes: [
                .command(target.destroy(context: context)), .command(delete), .command(target.sync(context: context)),
            ],
            notes: notes, warnings: [warning], observe: target.observed)
    }

    /// The claims as a small table: name, status, size, class, volume.
    static func claimTable(_ claims: [PVCList.Claim]) -> String {
        let header = ["NAME", "STATUS", "SIZE", "STORAGECLASS", "VOLUME"]
        let rows = claims.map {
            [
                $0.metadata.name, $0.status?.phase ?? "?", $0.size ?? "?", $0.spec?.storageClassName ?? "",
                $0.spec?.volumeName ?? "",
            ]
        }
        let lines = ProbeTable.render(header: header, rows: rows)
        return "PersistentVolumeClaims:\n" + lines.joined(separator: "\n")
    }

    static func podSummary(_ pods: [ReleasePod], zh: Bool) -> String {
        guard !pods.isEmpty else { return zh ? "没有 pod" : "no pod is running" }
        let ready = pods.filter(\.ready).count
        let lines = pods.map { "\($0.name) \($0.phase) ready=\($0.ready) restarts=\($0.restarts)" }
        return (zh ? "pod（\(ready)/\(pods.count) 就绪）：\n" : "pods (\(ready)/\(pods.count) ready):\n")
            + lines.joined(separator: "\n")
    }

    /// The claims' sizes added up, in Gi (`?` for a claim whose size is unknown).
    static func totalSize(_ claims: [PVCList.Claim]) -> String {
        var bytes = Decimal(0)
        var unknown = 0
        for claim in claims {
            guard let size = claim.size, let q = try? Quantity(parsing: size) else {
                unknown += 1
                continue
            }
            bytes += q.value
        }
        let gib = NSDecimalNumber(decimal: bytes).doubleValue / 1_073_741_824
        let text = gib == gib.rounded() ? "\(Int(gib))Gi" : String(format: "%.1fGi", gib)
        return unknown == 0 ? text : text + " + \(unknown) unknown"
    }
}
