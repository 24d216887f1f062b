import Foundation

/// Where bkfix's own data lives: the checkout it runs from (`playbooks/`, `cases/`, `state/`), or the installed
/// locations (`/usr/share/bkfix`, `/var/lib/bkfix/state`).
public enum Home {
    /// `BKFIX_HOME`, else the nearest ancestor of the executable holding `playbooks/` (a checkout), else nil.
    public static func checkout(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let h = environment["BKFIX_HOME"], !h.isEmpty { return h }
        var dir = (executablePath() as NSString).deletingLastPathComponent
        while dir != "/" && !dir.isEmpty {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dir + "/playbooks", isDirectory: &isDir), isDir.boolValue,
                FileManager.default.fileExists(atPath: dir + "/Package.swift")
            {
                return dir
            }
            dir = (dir as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// The real path of the running binary.
    public static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// The folder of built-in playbooks.
    public static func playbooksDir(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (checkout(environment: environment) ?? "/usr/share/bkfix") + "/playbooks"
    }

    /// The folder of built-in cases.
    public static func casesDir(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        (checkout(environment: environment) ?? "/usr/share/bkfix") + "/cases"
    }

    /// `$BKFIX_STATE`, else the checkout's `state/`, else `/var/lib/bkfix/state`.
    public static func stateDir(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let s = environment["BKFIX_STATE"], !s.isEmpty { return s }
        if let c = checkout(environment: environment) { return c + "/state" }
        return "/var/lib/bkfix/state"
    }
}
