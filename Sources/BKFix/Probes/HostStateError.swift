import Foundation

/// What bkfix found on a host that it will not (or cannot) fix by itself: each message says what to do instead.
public enum HostStateError: LocalizedError, Equatable {
    /// `date +%s.%N` did not answer a time.
    case clockUnreadable(host: String, reason: String)
    /// The time service is masked: someone switched it off on purpose.
    case serviceMasked(host: String, unit: String)
    /// Time sync is on but the clock is still off: its time source is the problem.
    case timeSyncIneffective(host: String, offset: Double, service: String)
    /// Neither chronyd nor timedatectl's NTP is available.
    case noTimeSync(host: String)
    /// `ipv6.disable=1` on the kernel command line: only a boot setting and a reboot help.
    case ipv6DisabledAtBoot(host: String)
    /// No `/proc/sys/net/ipv6` although the kernel command line does not disable it: the module is not loaded.
    case ipv6Unavailable(host: String)

    public var errorDescription: String? {
        switch self {
        case .clockUnreadable(let host, let reason):
            return "cannot read the clock of \(host) with `date +%s.%N`: \(reason)"
        case .serviceMasked(let host, let unit):
            return "\(unit) is masked on \(host) (switched off on purpose); bkfix does not unmask it: run "
                + "`systemctl unmask \(unit)` on \(host) if it should run, then apply again"
        case .timeSyncIneffective(let host, let offset, let service):
            return "time sync (\(service)) is already on on \(host), yet its clock is "
                + String(format: "%+.3f", offset) + " s off the control machine's; bkfix changes nothing: check its "
                + "time source (`chronyc sources` or `timedatectl timesync-status`) and the control machine's clock"
        case .noTimeSync(let host):
            return "\(host) has neither chronyd nor timedatectl's NTP; install chrony there "
                + "(yum install -y chrony, or apt-get install -y chrony), then apply again"
        case .ipv6DisabledAtBoot(let host):
            return "IPv6 is disabled on the kernel command line of \(host) (ipv6.disable=1 in /proc/cmdline); bkfix "
                + "changes nothing: remove ipv6.disable=1 from GRUB_CMDLINE_LINUX in /etc/default/grub, regenerate the "
                + "boot configuration (grub2-mkconfig -o /boot/grub2/grub.cfg, or update-grub) and reboot \(host); "
                + "to enable IPv6 on other nodes now, name them with -p node=..."
        case .ipv6Unavailable(let host):
            return "\(host) has no /proc/sys/net/ipv6 although its kernel command line does not disable IPv6: the "
                + "ipv6 module is not loaded (check /etc/modprobe.d for 'blacklist ipv6' or 'install ipv6 /bin/true', "
                + "then modprobe ipv6); bkfix changes nothing"
        }
    }
}

extension HostStateError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .clockUnreadable, .serviceMasked, .timeSyncIneffective, .noTimeSync, .ipv6DisabledAtBoot, .ipv6Unavailable:
            return .failure
        }
    }

    public var jsonCode: String {
        switch self {
        case .clockUnreadable: return "clock-unreadable"
        case .serviceMasked: return "service-masked"
        case .timeSyncIneffective: return "time-sync-ineffective"
        case .noTimeSync: return "no-time-sync"
        case .ipv6DisabledAtBoot: return "ipv6-disabled-at-boot"
        case .ipv6Unavailable: return "ipv6-unavailable"
        }
    }
}
