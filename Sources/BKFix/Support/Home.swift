import Foundation

/// Where bkfix's own files live: the state repo (`--state`, `$BKFIX_STATE`, the checkout's `state/` for a binary
/// built in a checkout, else `/var/lib/bkfix/state`) and the site's own playbooks and cases (`/etc/bkfix/...`).
/// The built-in playbooks and cases are compiled in (`EmbeddedDefinitions`), so no data folder is needed.
public enum Home {
    /// Where an installed bkfix keeps its state repo.
    public static let installedStateDir = "/var/lib/bkfix/state"

    /// The nearest ancestor of the running binary that holds `Package.swift` and `playbooks/` (the binary was built
    /// in a checkout: `.build/debug/bkfix`), else nil.
    public static func checkout() -> String? {
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

    /// `$BKFIX_STATE`, else the checkout's `state/` (development and the demo), else `/var/lib/bkfix/state`.
    public static func stateDir(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let s = environment["BKFIX_STATE"], !s.isEmpty { return s }
        if let c = checkout() { return c + "/state" }
        return installedStateDir
    }

    /// The site's own `playbooks` or `cases` folder, `/etc/bkfix/NAME` under `root`.
    public static func siteFolder(root: String, _ name: String) -> String {
        (root == "/" ? "" : root) + "/etc/bkfix/" + name
    }
}
