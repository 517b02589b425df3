import Foundation
import Glibc
import Testing
import VMCore

@testable import LibvirtDriver

/// Every operation against libvirt's test driver (no daemon).
@Suite struct LifecycleTests {
    @Test(arguments: ["kvm", "xen"])
    func fullLifecycle(vmType: String) async throws {
        let directory = try JobDirectory()
        let driver = TestHost.driver(vmType)
        var job = directory.job(vmType)
        job.checkpoint = true
        let vm = try await driver.start(job)
        let files = CheckpointFiles(job, jobOwner: nil)

        let running = try await vm.status()
        #expect(running.state == .running)
        #expect(running.memoryKiB == 64 * 1024)
        #expect(running.vcpus == 1)
        #expect(running.cpuTime != nil)
        #expect(try await vm.pid() == 0, "the test driver has no host process")

        try await vm.softSuspend()
        #expect(try await vm.status().state == .suspended)
        try await vm.resume()
        #expect(try await vm.status().state == .running)

        try await vm.suspend()
        #expect(try await vm.status().state == .suspended, "a saved guest is suspended, not stopped")
        #expect(try files.hasMemoryImage())
        try await vm.resume()
        #expect(try await vm.status().state == .running)
        #expect(!(try files.hasMemoryImage()), "the suspend file is consumed by the restore")

        try await vm.checkpoint()
        #expect(try await vm.status().state == .suspended)
        #expect(FileManager.default.fileExists(atPath: files.timestamp))
        #expect(try files.isRestorable(disks: job.disks))
        try await vm.resume()
        #expect(try await vm.status().state == .running)

        try await vm.stop()
        #expect(try await vm.status().state == .stopped)
        let name = job.name
        await #expect(throws: VMGAHPError.self, "the domain is gone") {
            try await driver.call(.status) { conn in
                try conn.withDomain(name) { (d) throws(LibvirtError) in try Libvirt.info(d) }
            }
        }
        try await vm.stop()
    }

    @Test func startRestoresAValidCheckpointInANewDriver() async throws {
        let directory = try JobDirectory()
        var job = directory.job()
        job.checkpoint = true
        let first = try await TestHost.driver().start(job)
        try await first.checkpoint()
        #expect(try await first.status().state == .suspended)

        let second = try await TestHost.driver().start(job)
        #expect(try await second.status().state == .running)
        #expect(!(try CheckpointFiles(job, jobOwner: nil).hasMemoryImage()), "the checkpoint was consumed")
        await second.tearDown()
        #expect(try await second.status().state == .stopped)
    }

    @Test func aCheckpointWhoseDisksChangedIsNotRestored() async throws {
        let directory = try JobDirectory()
        var job = directory.job()
        job.checkpoint = true
        let first = try await TestHost.driver().start(job)
        try await first.checkpoint()
        // The disk was written after the checkpoint.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(100)], ofItemAtPath: job.disks[0].path)
        let files = CheckpointFiles(job, jobOwner: nil)
        #expect(!(try files.isRestorable(disks: job.disks)))
        let second = try await TestHost.driver().start(job)
        #expect(try await second.status().state == .running)
        #expect(!(try files.hasMemoryImage()), "the stale checkpoint is removed")
        await second.tearDown()
    }

    @Test func savedFilesBelongToTheJobUser() async throws {
        let directory = try JobDirectory()
        let job = directory.job()
        let owner = FileOwner(uid: 65534, gid: 65533)
        let vm = try await TestHost.driver(jobOwner: owner).start(job)
        try await vm.checkpoint()
        let files = CheckpointFiles(job, jobOwner: nil)
        for path in [files.memory, files.timestamp] {
            var info = stat()
            #expect(stat(path, &info) == 0, "\(path)")
            #expect(info.st_uid == 65534, "\(path)")
            #expect(info.st_gid == 65533, "\(path)")
        }
        await vm.tearDown()
    }

    @Test func operationsOnAStoppedVMAreInvalid() async throws {
        let directory = try JobDirectory()
        let vm = try await TestHost.driver().start(directory.job())
        try await vm.stop()
        for op in [vm.resume, vm.softSuspend, vm.suspend] {
            await #expect { try await op() } throws: { ($0 as? VMGAHPError)?.code == .invalidOperation }
        }
    }

    @Test func stopCleansUpAsHTCondorDoes() async throws {
        let directory = try JobDirectory()
        let driver = TestHost.driver()
        let files = CheckpointFiles(directory.job(), jobOwner: nil)

        // A suspended job that is stopped keeps its disk, not the suspend file.
        let kept = directory.job()
        let suspended = try await driver.start(kept)
        try await suspended.suspend()
        #expect(try files.hasMemoryImage())
        try await suspended.stop()
        #expect(!(try files.hasMemoryImage()))
        #expect(FileManager.default.fileExists(atPath: kept.disks[0].path))

        // A job that wants no output loses its transferred disk, so nothing goes back.
        var nothingBack = directory.job()
        nothingBack.noOutputVM = true
        let vm = try await driver.start(nothingBack)
        try await vm.stop()
        #expect(!FileManager.default.fileExists(atPath: nothingBack.disks[0].path))
        #expect(try await vm.status().state == .stopped)
    }

    @Test func aStoppedCheckpointSurvivesForTheNextRun() async throws {
        let directory = try JobDirectory()
        var job = directory.job()
        job.checkpoint = true
        job.noOutputVM = true
        let vm = try await TestHost.driver().start(job)
        try await vm.checkpoint()
        try await vm.stop()
        try await vm.stop()
        let files = CheckpointFiles(job, jobOwner: nil)
        #expect(try files.isRestorable(disks: job.disks), "memory image, timestamp and disk all kept")
    }

    @Test func requestsOnADomainThatJustVanishedAreInvalid() async throws {
        let directory = try JobDirectory()
        let job = directory.job()
        let vm = try await TestHost.driver().start(job)
        try await TestHost.driver().destroy(name: job.name)
        await #expect { try await vm.suspend() } throws: { ($0 as? VMGAHPError)?.code == .invalidOperation }
        #expect(try await vm.status().state == .stopped)
    }

    @Test func killModeDestroysByNameAndIgnoresUnknownNames() async throws {
        let directory = try JobDirectory()
        let driver = TestHost.driver()
        let job = directory.job()
        let vm = try await driver.start(job)
        try await TestHost.driver().destroy(name: job.name)
        #expect(try await vm.status().state == .stopped)
        try await driver.destroy(name: TestHost.uniqueName("nobody"))
    }

    @Test func hostDependentChoicesFallBackWhereTheHypervisorCannotTell() async throws {
        let directory = try JobDirectory()
        let job = directory.job()
        // The test driver reports no domain capabilities: no KVM, no CPU modes.
        let driver = TestHost.driver(settings: ["VM_LIBVIRT_DOMAIN_TYPE": "auto", "VM_LIBVIRT_CPU_MODE": "host-passthrough"])
        let vm = try await driver.start(job)
        let xml = try await driver.call(.status) { conn in
            try conn.withDomain(job.name) { (d) throws(LibvirtError) in try Libvirt.xml(d) }
        }
        #expect(xml.hasPrefix("<domain type='qemu'"))
        #expect(!xml.contains("host-passthrough"))
        await vm.tearDown()
    }

    @Test func explainShowsTheDomainXML() throws {
        let directory = try JobDirectory()
        let job = directory.job()
        let xml = try #require(try TestHost.driver(settings: ["VM_LIBVIRT_DOMAIN_TYPE": "qemu"]).explain(job))
        #expect(xml.hasPrefix("<domain type='qemu'>"))
        #expect(xml.contains("<name>\(job.name)</name>"))
        #expect(xml.contains(LibvirtSettings.consoleLogName))
    }

    @Test func probePrunesNetworkingTypesThatCannotWork() async throws {
        let policy = HostPolicy(
            maxMemoryMiB: 1024, networkingEnabled: true, networkingTypes: [.nat, .bridge, .user], bridgeInterface: "lo")
        let kvm = try await TestHost.driver(policy: policy).probe()
        // The test driver has an active network named `default`; `lo` exists everywhere.
        #expect(kvm.networkingTypes == [.nat, .bridge, .user])
        var missingBridge = policy
        missingBridge.bridgeInterface = "nosuchbr\(UInt16.random(in: 0...999))"
        #expect(try await TestHost.driver("xen", policy: missingBridge).probe().networkingTypes == [.nat])
    }
}
