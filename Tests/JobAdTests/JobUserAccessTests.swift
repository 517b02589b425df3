import Foundation
import TestSupport
import Testing
import VMCore
@testable import JobAd

/// Shared-storage files are decided as the job user, never as root: run as root, these
/// tests decide as `nobody` (uid 65534) with a group created for the test, on files of
/// various modes and a directory nobody may not traverse.
@Suite(.serialized) struct JobUserAccessTests {
    let space: Workspace
    let group: TestGroup?

    init() throws {
        space = try Workspace()
        group = geteuid() == 0 ? try TestGroup(member: "nobody") : nil
    }

    /// Confinement without roots, deciding as nobody with the groups the user database gives.
    func asNobody(roots: [String] = []) throws -> FileConfinement {
        let access = JobUserAccess(jobUser: .testJobUser)
        return try #require(FileConfinement(workingDirectory: space.workingDirectory, allowedRoots: roots, access: access))
    }

    func file(_ name: String, mode: mode_t, group gid: gid_t? = nil) throws -> String {
        let path = try space.file(space.sharedRoot + "/" + name, contents: "data")
        chmod(path, mode)
        if let gid { chown(path, 0, gid) }
        return path
    }

    func allowed(_ files: FileConfinement, _ path: String, writable: Bool) -> Bool {
        (try? files.resolve(path, kind: "disk", writable: writable).get()) != nil
    }

    @Test func modesAndGroupsDecideAsTheJobUser() throws {
        guard let group else { print("SKIP: not root, so the gahp's own credentials are the job user's"); return }
        let files = try asNobody()
        let world = try file("world-read.img", mode: 0o644)
        let worldWrite = try file("world-write.img", mode: 0o666)
        let rootOnly = try file("root-only.img", mode: 0o600)
        let groupRead = try file("group-read.img", mode: 0o640, group: group.gid)
        let groupWrite = try file("group-write.img", mode: 0o660, group: group.gid)
        let otherGroup = try file("other-group.img", mode: 0o660, group: 0)
        #expect(allowed(files, world, writable: false))
        #expect(!allowed(files, world, writable: true), "w needs write permission")
        #expect(allowed(files, worldWrite, writable: true))
        #expect(!allowed(files, rootOnly, writable: false), "root may, nobody may not")
        #expect(allowed(files, groupRead, writable: false), "through a supplementary group")
        #expect(!allowed(files, groupRead, writable: true))
        #expect(allowed(files, groupWrite, writable: true))
        #expect(!allowed(files, otherGroup, writable: false))
        #expect(!allowed(files, "/etc/shadow", writable: false))
        // The checks ran on their own thread: this one is still root.
        #expect(open(rootOnly, O_RDWR) >= 0)
    }

    @Test func aDirectoryTheUserCannotTraverseHidesItsFiles() throws {
        guard geteuid() == 0 else { print("SKIP: not root"); return }
        let inside = try file("locked/disk.img", mode: 0o666)
        chmod(space.sharedRoot + "/locked", 0o700)
        let files = try asNobody()
        let refusal = try #require(files.resolve(inside, kind: "disk").failure)
        #expect(refusal.message.contains("cannot be reached"), "\(refusal.message)")
        // A symlink inside the working directory cannot lend nobody root's reach.
        try space.symlink("via-link.img", to: inside)
        #expect(files.resolve("via-link.img", kind: "disk").failure != nil)
    }

    @Test func rootsRestrictFurther() throws {
        guard geteuid() == 0 else { print("SKIP: not root"); return }
        let disk = try file("disk.img", mode: 0o644)
        #expect(allowed(try asNobody(), disk, writable: false))
        #expect(!allowed(try asNobody(roots: [space.root + "/execute"]), disk, writable: false))
        #expect(allowed(try asNobody(roots: [space.sharedRoot]), disk, writable: false))
    }

    @Test func rootWithoutAJobUserRefusesSharedFiles() throws {
        guard geteuid() == 0 else { print("SKIP: not root"); return }
        let disk = try file("disk.img", mode: 0o644)
        let files = try #require(FileConfinement(
            workingDirectory: space.workingDirectory, allowedRoots: [], access: JobUserAccess(jobUser: nil)))
        #expect(files.resolve(disk, kind: "disk").failure?.message.contains("VMGAHP_USER_UID") == true)
        try space.file("own.img")
        #expect(allowed(files, "own.img", writable: true), "the job's own files need no job user")
    }

    @Test func theJobUsersGroupsComeFromTheUserDatabase() throws {
        guard let group else { print("SKIP: not root"); return }
        let identity = JobUser(.testJobUser).identity
        #expect(identity.gid == 65534 && identity.groups.first == 65534)
        #expect(identity.groups.contains(group.gid))
        // A defaulted gid (= uid) that is not one of the user's groups gives way to the primary one.
        let defaulted = JobUser(FileOwner(uid: 1, gid: 1)).identity
        #expect(defaulted.gid == getpwuid(1).pointee.pw_gid)
        #expect(JobUser(FileOwner(uid: 65534, gid: group.gid)).identity.gid == group.gid, "a gid given is kept")
    }

    @Test func throughTheJobAdAShareddiskNobodyCannotWriteIsAJobFault() throws {
        guard geteuid() == 0 else { print("SKIP: not root"); return }
        let disk = try file("ro.img", mode: 0o644)
        let kvm = try AdFixture(corpus: "kvm-basic", in: space).setting("VMPARAM_vm_Disk", "\"\(disk):vda:w\"")
        let refusal = try #require(kvm.refusal())
        #expect(refusal.code == .kvmInvalidDiskParam && refusal.fault == .job, "\(refusal)")
        #expect(try kvm.setting("VMPARAM_vm_Disk", "\"\(disk):vda:r\"").describe().disks.map(\.transferred) == [false])
    }
}

extension Result {
    var failure: Failure? { if case .failure(let error) = self { error } else { nil } }
}

/// A system group with one member, removed again (by name, with groupdel) when the value goes.
final class TestGroup {
    let name: String
    let gid: gid_t

    init(member: String) throws {
        name = "vmgahp-t\(UInt32.random(in: 100_000...999_999))"
        try Tools.run("/usr/sbin/groupadd", [name])
        try Tools.run("/usr/bin/gpasswd", ["-a", member, name])
        guard let entry = getgrnam(name) else { throw TestGroupError() }
        gid = entry.pointee.gr_gid
    }

    deinit { try? Tools.run("/usr/sbin/groupdel", [name]) }

    struct TestGroupError: Error {}
}
