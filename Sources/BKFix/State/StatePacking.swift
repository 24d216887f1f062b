import CLibGit2
import Foundation

/// What the object database holds, counted like `git count-objects -v`.
public struct StateObjectCounts: Sendable, Equatable {
    public var looseObjects: Int
    public var looseBytes: Int
    public var packs: Int
    public var packedObjects: Int
    public var packBytes: Int
}

/// What one packing did: the objects written into the new pack, and the copies removed once the pack held them.
public struct StatePackingReport: Sendable, Equatable {
    public var packedObjects: Int
    public var removedLooseObjects: Int
    public var removedPacks: Int
    public var before: StateObjectCounts
    public var after: StateObjectCounts
}

/// Packing the object database the way `git gc` does, with libgit2's packbuilder: loose objects, and the packs
/// being merged, are written into one new pack (with deltas); a copy is deleted only after the new pack's index,
/// read back from disk, lists it, so no object is ever lost, reachable or not.
extension StateRepo {
    /// About this many loose objects (some 50 runs) trigger packing after a commit; git's own default is 6,700.
    static let autoPackLooseObjects = 512
    /// Loose objects are estimated from these fan-out folders (1/16 of them), as git samples `objects/17`.
    private static let sampledFanouts = (0..<16).map { String(format: "%02x", $0) }

    /// Packs when there are about `autoPackLooseObjects` loose objects: the loose objects plus the packs small
    /// enough to be merged (each pack kept is at least twice the objects of everything being packed, so there are
    /// only logarithmically many packs and each object is rewritten a logarithmic number of times). Nil when
    /// nothing needed packing.
    @discardableResult
    public func packIfNeeded() throws -> StatePackingReport? {
        lock.lock()
        defer { lock.unlock() }
        let sampled = Self.sampledFanouts.reduce(0) { $0 + looseObjectNames(in: $1).count }
        guard sampled * 256 / Self.sampledFanouts.count >= Self.autoPackLooseObjects else { return nil }
        let loose = looseObjects()
        var merged: [PackFile] = []
        var total = loose.count
        for pack in packFiles().sorted(by: { $0.objectCount < $1.objectCount }) {
            guard pack.objectCount < 2 * total else { break }
            merged.append(pack)
            total += pack.objectCount
        }
        return try repack(loose: loose, packs: merged, walkHistory: false)
    }

    /// `bkfix gc`: every object, loose or packed, into one pack (history first, so deltas follow paths); then
    /// the loose objects and the old packs are removed. Running it again on a packed repo does nothing.
    @discardableResult
    public func packAll() throws -> StatePackingReport {
        lock.lock()
        defer { lock.unlock() }
        let loose = looseObjects()
        let packs = packFiles()
        if loose.isEmpty && packs.count <= 1 {
            let counts = objectCounts()
            return StatePackingReport(
                packedObjects: 0, removedLooseObjects: 0, removedPacks: 0, before: counts, after: counts)
        }
        return try repack(loose: loose, packs: packs, walkHistory: true)
    }

    /// Loose and packed objects, as `git count-objects -v` reports them.
    public func objectCounts() -> StateObjectCounts {
        lock.lock()
        defer { lock.unlock() }
        let loose = looseObjects()
        let packs = packFiles()
        return StateObjectCounts(
            looseObjects: loose.count, looseBytes: loose.reduce(0) { $0 + Self.fileSize($1.file) }, packs: packs.count,
            packedObjects: packs.reduce(0) { $0 + $1.objectCount },
            packBytes: packs.reduce(0) { $0 + Self.fileSize($1.packPath) + Self.fileSize($1.indexPath) })
    }

    // MARK: - Internals (called with the lock held)

    /// A loose object: its id and its file.
    private struct LooseObject {
        var id: String
        var file: String
    }

    /// A pack in `objects/pack`: its index, its data file and what the index lists.
    private struct PackFile {
        var indexPath: String
        var packPath: String
        var objectIDs: [String]
        var objectCount: Int { objectIDs.count }
    }

    private var objectsDirectory: String { path + "/.git/objects" }
    private var packDirectory: String { objectsDirectory + "/pack" }

    /// Writes `loose` and the objects of `packs` (and, with `walkHistory`, everything reachable from the refs
    /// first) into one new pack, then deletes each loose object and each merged pack the new pack fully holds.
    private func repack(loose: [LooseObject], packs: [PackFile], walkHistory: Bool) throws -> StatePackingReport {
        let before = objectCounts()
        let repository = try repository
        var builder: OpaquePointer?
        try LibGit2.check(git_packbuilder_new(&builder, repository), "start a pack")
        defer { git_packbuilder_free(builder) }
        let ids = (loose.map(\.id) + packs.flatMap(\.objectIDs)).compactMap { hex -> git_oid? in
            var oid = git_oid()
            return git_oid_fromstr(&oid, hex) == 0 ? oid : nil
        }
        var naming = PackNaming(
            repository: repository, builder: builder, wanted: walkHistory ? nil : Set(ids.map(ObjectKey.init)))
        if try headID() != nil { try naming.insertHistory() }
        try naming.insertRemaining(ids)
        guard git_packbuilder_object_count(builder) > 0 else {
            return StatePackingReport(
                packedObjects: 0, removedLooseObjects: 0, removedPacks: 0, before: before, after: before)
        }
        try LibGit2.check(
            git_packbuilder_write(builder, packDirectory, UInt32(StatePermissions.readOnlyFileMode), nil, nil),
            "write the pack")
        guard let cName = git_packbuilder_name(builder) else {
            throw StateRepoError.git(operation: "write the pack", code: -1, message: "libgit2 gave the pack no name")
        }
        let newIndex = packDirectory + "/pack-\(String(cString: cName)).idx"
        let newPack = packDirectory + "/pack-\(String(cString: cName)).pack"
        StatePermissions.tighten(newIndex)
        StatePermissions.tighten(newPack)
        guard let written = PackIndexFile(path: newIndex) else {
            throw StateRepoError.git(
                operation: "write the pack", code: -1, message: "\(newIndex) cannot be read back; nothing was removed")
        }
        let held = Set(written.objectIDs)

        var removedLoose = 0
        for object in loose where held.contains(object.id) && unlink(object.file) == 0 { removedLoose += 1 }
        for folder in Set(loose.map { ($0.file as NSString).deletingLastPathComponent }) { rmdir(folder) }
        var removedPacks = 0
        for pack in packs where pack.indexPath != newIndex && pack.objectIDs.allSatisfy(held.contains) {
            // The index first: without it no reader looks into the pack any more.
            if unlink(pack.indexPath) == 0 {
                unlink(pack.packPath)
                removedPacks += 1
            }
        }
        var database: OpaquePointer?
        if git_repository_odb(&database, repository) == 0 {
            _ = git_odb_refresh(database)
            git_odb_free(database)
        }
        return StatePackingReport(
            packedObjects: written.objectIDs.count, removedLooseObjects: removedLoose, removedPacks: removedPacks,
            before: before, after: objectCounts())
    }

    /// Every loose object file (`objects/xx/` + 38 hex digits).
    private func looseObjects() -> [LooseObject] {
        var objects: [LooseObject] = []
        for fanout in (try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory)) ?? []
        where fanout.utf8.count == 2 && fanout.allSatisfy(\.isHexDigit) {
            for name in looseObjectNames(in: fanout) {
                objects.append(LooseObject(id: fanout + name, file: "\(objectsDirectory)/\(fanout)/\(name)"))
            }
        }
        return objects
    }

    /// The names of the loose object files in one fan-out folder (temporary files left out).
    private func looseObjectNames(in fanout: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: objectsDirectory + "/" + fanout)) ?? []).filter {
            $0.utf8.count == 38 && $0.allSatisfy(\.isHexDigit)
        }
    }

    /// Every pack with both its `.idx` and `.pack`; packs with a `.keep` file are left out, as git leaves them.
    private func packFiles() -> [PackFile] {
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: packDirectory)) ?? [])
        return names.filter { $0.hasPrefix("pack-") && $0.hasSuffix(".idx") }.sorted().compactMap { name in
            let stem = String(name.dropLast(4))
            guard names.contains(stem + ".pack"), !names.contains(stem + ".keep"),
                let index = PackIndexFile(path: packDirectory + "/" + name)
            else { return nil }
            return PackFile(
                indexPath: packDirectory + "/" + name, packPath: packDirectory + "/" + stem + ".pack",
                objectIDs: index.objectIDs)
        }
    }

    private static func fileSize(_ path: String) -> Int {
        var info = stat()
        return stat(path, &info) == 0 ? Int(info.st_size) : 0
    }
}
