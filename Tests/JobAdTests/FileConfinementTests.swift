import Foundation
import Testing
@testable import JobAd

@Suite struct FileConfinementTests {
    @Test func relativeNamesResolveInTheWorkingDirectory() throws {
        let space = try Workspace()
        try space.file("disk.img")
        try space.file("sub/data.img")
        let files = try #require(FileConfinement(workingDirectory: space.workingDirectory, allowedRoots: []))
        #expect(try files.resolve("disk.img", kind: "disk").get() == .init(path: space.workingDirectory + "/disk.img", transferred: true))
        #expect(try files.resolve("sub/data.img", kind: "disk").get() == .init(path: space.workingDirectory + "/sub/data.img", transferred: true))
        #expect(try files.resolve(space.workingDirectory + "/disk.img", kind: "disk").get().transferred)
    }

    @Test func aFileWithTheSameBasenameInTheWorkingDirectoryWins() throws {
        let space = try Workspace()
        try space.file("disk.img")
        try space.file(space.sharedRoot + "/disk.img")
        let files = try #require(FileConfinement(workingDirectory: space.workingDirectory, allowedRoots: [space.sharedRoot]))
        #expect(try files.resolve(space.sharedRoot + "/disk.img", kind: "disk").get().path == space.workingDirectory + "/disk.img")
        #expect(try files.resolve("/nowhere/at/all/disk.img", kind: "disk").get().path == space.workingDirectory + "/disk.img")
        // The basename rule cannot reach outside: `shadow` is not in the working directory.
        #expect(throws: ConfinementProblem.self) { try files.resolve("../../../../../../etc/shadow", kind: "disk").get() }
    }

    @Test func sharedStorageIsAllowedOnlyUnderAnAllowedRoot() throws {
        let space = try Workspace()
        try space.file(space.sharedRoot + "/images/base.qcow2")
        try space.file(space.root + "/elsewhere.img")
        let allowed = try #require(FileConfinement(workingDirectory: space.workingDirectory, allowedRoots: [space.sharedRoot, "/does/not/exist", "relative"]))
        #expect(allowed.roots == [space.sharedRoot])
        #expect(try allowed.resolve(space.sharedRoot + "/images/base.qcow2", kind: "disk").get() == .init(path: space.sharedRoot + "/images/base.qcow2", transferred: false))
        #expect(throws: ConfinementProblem.self) { try allowed.resolve(space.root + "/elsewhere.img", kind: "disk").get() }
        // A sibling whose name starts with the root's name is not inside it.
        try space.file(space.sharedRoot + "2/x.img")
        #expect(throws: ConfinementProblem.self) { try allowed.resolve(space.sharedRoot + "2/x.img", kind: "disk").get() }
    }

    @Test func traversalAndEscapingSymlinksAreRefused() throws {
        let space = try Workspace()
        try space.file(space.root + "/secret")
        try space.symlink("link.img", to: space.root + "/secret")
        try space.symlink("rel.img", to: "../../secret")
        try space.file("real.img")
        try space.symlink("inside.img", to: "real.img")
        // With allowed roots, nothing outside them is reached, whoever may read it.
        let files = try #require(FileConfinement(workingDirectory: space.workingDirectory, allowedRoots: [space.sharedRoot]))
        for hostile in ["../../secret", "link.img", "rel.img", "sub/../../../secret", "/etc/shadow", "/etc/passwd", "../../../../../../etc/passwd", "/", "."] {
            #expect(throws: ConfinementProblem.self, "\(hostile)") { try files.resolve(hostile, kind: "disk").get() }
        }
        #expect(try files.resolve("inside.img", kind: "disk").get().path == space.workingDirectory + "/real.img")
    }

    @Test func missingFilesNulNewlinesAndHugeNamesAreRefused() throws {
        let space = try Workspace()
        try space.file("disk.img")
        let files = try #require(FileConfinement(workingDirectory: space.workingDirectory, allowedRoots: []))
        for hostile in ["missing.img", "disk.img\0../../etc/shadow", "disk.img\n", "", "disk\u{FFFD}.img", String(repeating: "a", count: 1 << 20)] {
            #expect(throws: ConfinementProblem.self) { try files.resolve(hostile, kind: "disk").get() }
        }
        // A directory is not a disk.
        try space.file("dir/x")
        #expect(throws: ConfinementProblem.self) { try files.resolve("dir", kind: "disk").get() }
        #expect(try files.resolve("dir", kind: "VMware directory", directoryAllowed: true).get().path == space.workingDirectory + "/dir")
    }

    @Test func theWorkingDirectoryMustExistAndBeAbsolute() throws {
        let space = try Workspace()
        #expect(FileConfinement(workingDirectory: "relative/dir", allowedRoots: []) == nil)
        #expect(FileConfinement(workingDirectory: space.workingDirectory + "/missing", allowedRoots: []) == nil)
        try space.file("plain")
        #expect(FileConfinement(workingDirectory: space.workingDirectory + "/plain", allowedRoots: []) == nil)
        #expect(FileConfinement(workingDirectory: space.workingDirectory + "\n", allowedRoots: []) == nil)
    }
}

extension FileConfinementTests {
    @Test func hardLinksInTheWorkingDirectoryAreRefused() throws {
        let space = try Workspace()
        let outside = try space.file(space.root + "/secret")
        let shared = try space.file(space.sharedRoot + "/base.img")
        try FileManager.default.linkItem(atPath: outside, toPath: space.workingDirectory + "/linked.img")
        try FileManager.default.linkItem(atPath: shared, toPath: space.sharedRoot + "/alias.img")
        let files = try #require(FileConfinement(workingDirectory: space.workingDirectory, allowedRoots: [space.sharedRoot]))
        #expect(throws: ConfinementProblem.self) { try files.resolve("linked.img", kind: "disk").get() }
        // Shared storage is the admin's: hard links there are allowed.
        #expect(try files.resolve(space.sharedRoot + "/alias.img", kind: "disk").get().path == space.sharedRoot + "/alias.img")
    }
}
