import Foundation
import TestSupport
import Testing
import VMCore

@testable import LibvirtDriver

/// The files the gahp names in the working directory, on libvirt's test driver: created by
/// the gahp, never through a link, FIFO or hard link planted there.
@Suite struct PlantedFileTests {
    let directory: JobDirectory
    let outside: TemporaryDirectory
    let target: String

    init() throws {
        directory = try JobDirectory()
        outside = try TemporaryDirectory(prefix: "planted-target")
        target = try outside.write("host-file", "host data\n")
    }

    func files(owner: FileOwner? = nil) -> WorkingDirectoryFiles {
        WorkingDirectoryFiles(path: directory.path, jobOwner: owner, code: .badImage)
    }

    /// A file the gahp hands over to the job user may have been swapped for a link since it
    /// was created: the host file behind the link keeps its owner.
    @Test func handingOverNeverFollowsALink() throws {
        guard geteuid() == 0 else { print("SKIP: not root, nothing changes hands"); return }
        let driver = TestHost.driver(jobOwner: FileOwner(uid: 65534, gid: 65534))
        try FileManager.default.createSymbolicLink(atPath: directory.file("vmgahp-console.log"), withDestinationPath: target)
        driver.handOver(directory.file("vmgahp-console.log"))
        var info = stat()
        #expect(stat(target, &info) == 0 && info.st_uid == 0 && info.st_gid == 0)
        #expect(lstat(directory.file("vmgahp-console.log"), &info) == 0 && info.st_uid == 65534)
        let own = try directory.directory.write("vmgahp.timestamp", "")
        driver.handOver(own)
        #expect(stat(own, &info) == 0 && info.st_uid == 65534 && info.st_gid == 65534)
    }

    @Test func createMakesAFreshPrivateFileAndRefusesPlants() throws {
        let files = files()
        try files.create("new")
        var info = stat()
        #expect(lstat(directory.file("new"), &info) == 0 && info.st_mode & 0o777 == 0o600 && info.st_nlink == 1)

        symlink(target, directory.file("link"))
        mkfifo(directory.file("fifo"), 0o600)
        link(target, directory.file("hard"))
        mkdir(directory.file("dir"), 0o700)
        for name in ["link", "fifo", "hard", "dir"] {
            #expect(throws: VMGAHPError.self, "\(name)") { try files.create(name) }
            #expect(throws: VMGAHPError.self, "\(name)") { try files.create(name, keepExisting: true) }
            #expect(files.read(name, limit: 64) == nil, "\(name) is not read")
            files.removeIfPlain(name)
            #expect(lstat(directory.file(name), &info) == 0, "\(name) is left where it is")
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "host data\n")
    }

    @Test func aPlainFileIsReusedOrReplacedAndAStrangersIsRefused() throws {
        let files = files()
        try directory.directory.write("log", "earlier run\n")
        try files.create("log", keepExisting: true)
        #expect(try String(contentsOfFile: directory.file("log"), encoding: .utf8) == "earlier run\n")
        try files.write("log", Array("fresh\n".utf8))
        #expect(files.read("log", limit: 64) == Array("fresh\n".utf8))
        if geteuid() == 0 {
            chown(directory.file("log"), 4242, 4242)
            #expect(throws: VMGAHPError.self) { try files.create("log") }
            #expect(throws: Never.self) { try self.files(owner: FileOwner(uid: 4242, gid: 4242)).create("log") }
        }
    }

    @Test func startRefusesALinkAtTheConsoleLogAndCreatesNothing() async throws {
        let console = directory.file(LibvirtSettings.consoleLogName)
        symlink(target, console)
        let job = directory.job()
        await #expect { _ = try await TestHost.driver().start(job) } throws: {
            ($0 as? VMGAHPError)?.code == .badImage && ($0 as? VMGAHPError)?.fault == .job
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: console) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "host data\n")
    }

    @Test func checkpointRefusesALinkAtTheTimestamp() async throws {
        var job = directory.job()
        job.checkpoint = true
        let vm = try await TestHost.driver().start(job)
        symlink(target, directory.file(CheckpointFiles.timestampName))
        await #expect { try await vm.checkpoint() } throws: {
            ($0 as? VMGAHPError)?.code == .kvmMismatchedCheckpoint && ($0 as? VMGAHPError)?.fault == .job
        }
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "host data\n")
        await vm.tearDown()
    }
}
