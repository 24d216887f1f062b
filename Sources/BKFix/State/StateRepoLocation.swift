import Foundation

/// The file-system side of the state repo: its private directory and the working-tree copies of committed files.
enum StateRepoLocation {
    /// Checks (and with `create`, makes, mode 0700) the repository directory; true when it already holds a repo.
    static func prepare(_ path: String, create: Bool) throws -> Bool {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw StateRepoError.cannotCreate(path: path, reason: "it exists and is not a directory")
            }
            guard access(path, W_OK | X_OK) == 0 else { throw StateRepoError.notWritable(path: path) }
            let gitDirectory = path + "/.git"
            if FileManager.default.fileExists(atPath: gitDirectory) {
                guard access(gitDirectory, W_OK | X_OK) == 0 else { throw StateRepoError.notWritable(path: path) }
                return true
            }
            // A mistyped --state (/etc, a home) must not become a repo nor lose its mode: only an empty folder, or
            // the checkout's state/ placeholder (README.md, .gitignore), is made into a state repository.
            let others = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
                .filter { $0 != "README.md" && $0 != ".gitignore" }.sorted()
            // Another bkfix may have made `.git` between the two looks (two first uses at once): that repo is the
            // one to open, and opening it waits while it is still being made.
            if others == [".git"] { return true }
            if create, !others.isEmpty {
                throw StateRepoError.cannotCreate(
                    path: path,
                    reason: "it is a folder holding other files (\(others.prefix(3).joined(separator: ", "))"
                        + "\(others.count > 3 ? ", ..." : "")), not a bkfix state repository")
            }
            if create, chmod(path, 0o700) != 0 { throw StateRepoError.notWritable(path: path) }
            return false
        }
        guard create else { return false }

        let parent = (path as NSString).deletingLastPathComponent
        if let blocker = blockingAncestor(of: path) {
            throw StateRepoError.cannotCreate(path: path, reason: blocker)
        }
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw StateRepoError.cannotCreate(path: path, reason: reason(error))
        }
        if mkdir(path, 0o700) != 0, errno != EEXIST {
            throw StateRepoError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        if chmod(path, 0o700) != 0 {
            throw StateRepoError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        return false
    }

    /// Why the nearest existing ancestor of `path` stops it from being created (a file, or not writable), if it does.
    private static func blockingAncestor(of path: String) -> String? {
        var ancestor = (path as NSString).deletingLastPathComponent
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: ancestor, isDirectory: &isDirectory) {
            let next = (ancestor as NSString).deletingLastPathComponent
            if next == ancestor { return nil }
            ancestor = next
        }
        if !isDirectory.boolValue { return "\(ancestor) is a file, not a directory" }
        if access(ancestor, W_OK | X_OK) != 0 { return "\(ancestor) is not writable" }
        return nil
    }

    /// Mirrors one committed path into the working tree: writes the bytes atomically, or removes the file (and
    /// directories left empty) for nil.
    static func writeWorkingFile(_ relativePath: String, data: Data?, workdir: URL) throws {
        let file = workdir.appendingPathComponent(relativePath)
        do {
            if let data {
                try createPrivateDirectories(file.deletingLastPathComponent(), under: workdir)
                try data.write(to: file, options: .atomic)
                _ = chmod(file.path, StatePermissions.fileMode)
            } else {
                if FileManager.default.fileExists(atPath: file.path) {
                    try FileManager.default.removeItem(at: file)
                }
                removeEmptyDirectories(from: file.deletingLastPathComponent(), upTo: workdir)
            }
        } catch {
            throw StateRepoError.cannotCreate(path: file.path, reason: reason(error))
        }
    }

    /// `mkdir -p` of `directory` with mode 0700 for each folder below `root` (the umask would give 0755).
    private static func createPrivateDirectories(_ directory: URL, under root: URL) throws {
        let rootPath = root.standardizedFileURL.path
        var missing: [String] = []
        var current = directory.standardizedFileURL
        var isDirectory: ObjCBool = false
        while current.path.count > rootPath.count,
            !FileManager.default.fileExists(atPath: current.path, isDirectory: &isDirectory)
        {
            missing.append(current.path)
            current = current.deletingLastPathComponent()
        }
        for path in missing.reversed() where mkdir(path, StatePermissions.directoryMode) != 0 && errno != EEXIST {
            throw StateRepoError.cannotCreate(path: path, reason: String(cString: strerror(errno)))
        }
        // An existing folder in the way that is a file is reported by the write that follows.
    }

    /// Removes `directory` and its parents while they are empty, stopping at `root`.
    private static func removeEmptyDirectories(from directory: URL, upTo root: URL) {
        var current = directory.standardizedFileURL
        let rootPath = root.standardizedFileURL.path
        while current.path.count > rootPath.count, current.path.hasPrefix(rootPath + "/"),
            (try? FileManager.default.contentsOfDirectory(atPath: current.path).isEmpty) == true
        {
            guard rmdir(current.path) == 0 else { return }
            current = current.deletingLastPathComponent()
        }
    }

    /// The most specific explanation Foundation gives for a file-system error.
    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        return nsError.localizedDescription
    }
}

extension StateRepo {
    /// Whether `path` already holds a state repository (read-only commands open one only then, never create it).
    public static func exists(at path: String) -> Bool {
        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(".git"))
    }
}
