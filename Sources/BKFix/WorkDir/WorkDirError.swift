import Foundation

/// Why the BlueKing work dir could not answer a question about a release.
public enum WorkDirError: LocalizedError, Equatable {
    /// No helmfile (`*.yaml.gotmpl` with `releases:`) was found where the work dir should be.
    case notAWorkDir(String)
    case releaseNotFound(release: String, workDir: String, known: [String])
    /// The release lists no custom-values file, so there is nowhere to put an override.
    case noCustomValuesFile(release: String, helmfile: String)

    public var errorDescription: String? {
        switch self {
        case .notAWorkDir(let path):
            return "\(path): no helmfile with releases found; is this the BlueKing work dir (INSTALL_DIR/blueking)? "
                + "Pass --install-dir"
        case .releaseNotFound(let release, let workDir, let known):
            return "release \(release) is not defined in any helmfile of \(workDir) "
                + "(known: \(known.sorted().joined(separator: ", ")))"
        case .noCustomValuesFile(let release, let helmfile):
            return "\(helmfile): release \(release) lists no *-custom-values file under values:; "
                + "add one there first"
        }
    }
}

extension WorkDirError: ExitCodedError {
    public var exitStatus: ExitStatus {
        switch self {
        case .notAWorkDir, .releaseNotFound, .noCustomValuesFile: return .badInput
        }
    }

    public var jsonCode: String {
        switch self {
        case .notAWorkDir, .noCustomValuesFile: return "bad-work-dir"
        case .releaseNotFound: return "bad-parameter"
        }
    }
}
