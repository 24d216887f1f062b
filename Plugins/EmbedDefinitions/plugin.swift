import Foundation
import PackagePlugin

/// Runs `scripts/embed.sh` on every build: the built-in playbooks and cases and the git commit being built become
/// generated Swift source of the target, so the binary carries them and they cannot go stale.
///
/// A prebuild command would be the natural fit, but SwiftPM runs those only when it re-plans the build (a changed
/// manifest), so an edited or added playbook would not be noticed. This build command's input is a file the script
/// rewrites each time it runs, so the command runs on every build; the script rewrites a generated file only when
/// its content changes, so nothing recompiles when nothing changed.
@main
struct EmbedDefinitions: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL
        let trigger = output.appendingPathComponent("last-run")
        if !FileManager.default.fileExists(atPath: trigger.path) {
            _ = FileManager.default.createFile(atPath: trigger.path, contents: Data())
        }
        return [
            .buildCommand(
                displayName: "Embedding the playbooks, the cases and the git commit",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [
                    package.appendingPathComponent("scripts/embed.sh").path, package.path, output.path, trigger.path,
                ],
                inputFiles: [trigger],
                outputFiles: [
                    output.appendingPathComponent("EmbeddedDefinitions+Files.swift"),
                    output.appendingPathComponent("BuildInfo+Stamp.swift"),
                ])
        ]
    }
}
