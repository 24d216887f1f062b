import Foundation

/// The releases of the work dir, with their namespaces: the prefixes that map a pod name to its release, and the
/// namespace of a release the text names without one.
public struct KnownReleases: Sendable {
    /// Release name → namespace.
    public var namespaces: [String: String]

    public init(namespaces: [String: String] = [:]) {
        self.namespaces = namespaces
    }
}

/// Completes the params a case's own rules captured with what its surroundings say (SPEC §4: the playbook's
/// parameters come derived from the evidence), in this order of trust:
/// 1. the case's own captures (and its rules' fixed `params:`);
/// 2. the release of its own pod by a known release name (the work dir's, then those the text names; longest first);
/// 3. the context facts near its evidence, for the names its `context:` lists (strongest, then nearest);
/// 4. the release of a pod by its shape (`<release>-<hash>-<hash>`, `<release>-N`);
/// 5. the namespace of a known release, from the work dir.
struct ParamDerivation {
    let releases: KnownReleases
    let podNames: PodNames

    init(releases: KnownReleases, namedInText: [String]) {
        self.releases = releases
        self.podNames = PodNames(releases: Array(releases.namespaces.keys) + namedInText)
    }

    func complete(_ own: [String: String], context: [String: String], wanted: [String]) -> [String: String] {
        guard !wanted.isEmpty else { return own }
        var params = own
        let wantsRelease = wanted.contains("release")
        if wantsRelease, params["release"] == nil, let pod = params["pod"] {
            params["release"] = podNames.knownRelease(of: pod)
        }
        for name in wanted where params[name] == nil {
            guard let value = context[name] else { continue }
            // Pods are named after their release: a release nearby that does not prefix the case's pod is another's.
            if name == "release", let pod = params["pod"], !pod.hasPrefix(value + "-") { continue }
            // A pod the text names near the evidence, but of another release than the case's, is not its pod.
            if name == "pod", let release = params["release"], let owner = podNames.knownRelease(of: value),
                owner != release
            {
                continue
            }
            params[name] = value
        }
        if wantsRelease, params["release"] == nil, let pod = params["pod"] {
            params["release"] = podNames.knownRelease(of: pod) ?? PodNames.releaseByShape(of: pod)
        }
        if wanted.contains("namespace"), params["namespace"] == nil, let release = params["release"] {
            params["namespace"] = releases.namespaces[release]
        }
        return params
    }
}
