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
                    console.out("no state repo at \(session.statePath): nothing to pack\n")
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
            if report.packedObjects == 0 {
                console.out("state repo \(store.repo.path): already packed (\(Self.describe(report.after)))\n")
            } else {
                console.out(
                    "state repo \(store.repo.path): packed \(report.packedObjects) objects into one pack; removed "
                        + "\(report.removedLooseObjects) loose objects and \(report.removedPacks) old packs\n"
                        + "before: \(Self.describe(report.before))\nafter:  \(Self.describe(report.after))\n")
            }
            return .ok
        }
    }

    /// `git count-objects -v` in one line.
    private static func describe(_ c: StateObjectCounts) -> String {
        "\(c.looseObjects) loose objects (\(c.looseBytes / 1024) KiB), \(c.packedObjects) objects in \(c.packs) "
            + "pack\(c.packs == 1 ? "" : "s") (\(c.packBytes / 1024) KiB)"
    }

    private static func counts(_ c: StateObjectCounts) -> [String: Any] {
        [
            "looseObjects": c.looseObjects, "looseBytes": c.looseBytes, "packs": c.packs,
            "packedObjects": c.packedObjects, "packBytes": c.packBytes,
        ]
    }
}
