import ArgumentParser
import BKFix
import Foundation

/// `bkfix gc`: packs the state repo's objects into one pack, like `git gc` (bkfix also packs on its own).
struct GcCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Pack the state repo's objects into one pack (bkfix also packs on its own after many runs).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let console = Console(options: global)
        try console.run {
            let session = global.session()
            guard let store = try session.existingStore() else {
                // Nothing to pack, and gc never creates a state repo.
                if global.json {
                    console.json(["packedObjects": 0, "removedLooseObjects": 0, "removedPacks": 0])
                } else {
                    console.out(Messages.format(Messages.gcNoRepo, console.lang, session.statePath) + "\n")
                }
                return .ok
            }
            let report = try store.gc(command: invocation.joined(separator: " "))
            if global.json {
                console.json([
                    "packedObjects": report.packedObjects, "removedLooseObjects": report.removedLooseObjects,
                    "removedPacks": report.removedPacks, "before": Self.counts(report.before),
                    "after": Self.counts(report.after),
                ])
                return .ok
            }
            let counts = { (c: StateObjectCounts) in
                Messages.format(
                    Messages.gcCounts, console.lang, String(c.looseObjects), String(c.looseBytes / 1024),
                    String(c.packedObjects), String(c.packs), String(c.packBytes / 1024))
            }
            if report.packedObjects == 0 {
                console.out(
                    Messages.format(Messages.gcAlreadyPacked, console.lang, store.repo.path, counts(report.after))
                        + "\n")
            } else {
                console.out(
                    Messages.format(
                        Messages.gcPacked, console.lang, store.repo.path, String(report.packedObjects),
                        String(report.removedLooseObjects), String(report.removedPacks), counts(report.before),
                        counts(report.after)) + "\n")
            }
            return .ok
        }
    }

    private static func counts(_ c: StateObjectCounts) -> [String: Any] {
        [
            "looseObjects": c.looseObjects, "looseBytes": c.looseBytes, "packs": c.packs,
            "packedObjects": c.packedObjects, "packBytes": c.packBytes,
        ]
    }
}
