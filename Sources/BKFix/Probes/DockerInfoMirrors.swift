import Foundation

/// Reads the `Registry Mirrors:` section of `docker info`, the mirrors the running dockerd really uses.
public enum DockerInfoMirrors {
    public static func parse(_ output: String) -> [String] {
        var mirrors: [String] = []
        var inSection = false
        for line in output.components(separatedBy: "\n") {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed == "Registry Mirrors:" {
                inSection = true
                continue
            }
            guard inSection else { continue }
            // Entries are indented URLs; the section ends at the next "Key:" line or a blank line.
            if trimmed.isEmpty || !trimmed.contains("://") || trimmed.hasSuffix(":") { break }
            mirrors.append(MirrorProbe.normalize(trimmed))
        }
        return mirrors
    }
}
