import Foundation

/// The step and verify kinds bkfix knows. Adding a kind is one file in `Steps/` plus one line here.
public enum StepRegistry {
    public static let steps: [any StepKind.Type] = [
        HostsEntryStep.self,
        CommandStep.self,
        JSONSetStep.self,
        DockerMirrorsStep.self,
        ServiceReloadStep.self,
        FileInstallStep.self,
        HelmUpgradeStep.self,
        ProfilePathStep.self,
        LocalPVSyncStep.self,
        ValuesSetStep.self,
        RaiseQuotaStep.self,
        HelmfileStep.self,
        FirewallPortStep.self,
        TimeSyncStep.self,
        EnableIPv6Step.self,
        RestartPodsStep.self,
        LocalPVFreeStep.self,
        PersistenceSizeStep.self,
        ClusterObjectStep.self,
        HelmReleaseStep.self,
        ReleaseDataResetStep.self,
    ]

    public static let checks: [any VerifyKind.Type] = [
        ResolveCheck.self,
        DockerMirrorsCheck.self,
        DefaultStorageClassCheck.self,
        HelmVersionCheck.self,
        PathContainsCheck.self,
        PodLimitsCheck.self,
        TCPPortCheck.self,
        ClockOffsetCheck.self,
        IPv6Check.self,
        PodsReadyCheck.self,
        PVCBoundCheck.self,
        ClusterFieldCheck.self,
        HelmStatusCheck.self,
        ValuesFileCheck.self,
    ]

    public static func step(named name: String) -> (any StepKind.Type)? { steps.first { $0.name == name } }
    public static func check(named name: String) -> (any VerifyKind.Type)? { checks.first { $0.name == name } }
}
