import Foundation
import Testing
import VMCore

@testable import LibvirtDriver

/// Job mistakes become hold tokens, host problems become host errors.
@Suite struct ErrorPathTests {
    private func startError(_ job: JobDescription, _ driver: LibvirtDriver? = nil) async -> VMGAHPError? {
        do {
            let vm = try await (driver ?? TestHost.driver(job.vmType)).start(job)
            await vm.tearDown()
            return nil
        } catch {
            return error as? VMGAHPError
        }
    }

    @Test(arguments: [("kvm", VMGAHPError.Code.kvmInvalidDiskParam), ("xen", .xenInvalidDiskParam)])
    func missingDiskIsTheJobsMistake(vmType: String, code: VMGAHPError.Code) async throws {
        let directory = try JobDirectory()
        var job = directory.job(vmType)
        job.disks[0].path = directory.file("gone.img")
        let error = await startError(job)
        #expect(error?.code == code)
        #expect(code.putsJobOnHold)
    }

    @Test func rawFileDeclaredQcow2IsABadImage() async throws {
        let directory = try JobDirectory()
        let job = directory.job(disks: [directory.disk("disk.img", "vda", format: "qcow2")])
        #expect(await startError(job)?.code == .badImage)
    }

    @Test func missingXenKernelAndInitrd() async throws {
        let directory = try JobDirectory()
        var job = directory.job("xen")
        job.xen = .kernel(path: directory.file("nokernel"), initrd: nil, root: "/dev/xvda", parameters: nil)
        #expect(await startError(job)?.code == .xenKernelNotFound)
        job.xen = .kernel(path: directory.file("vmlinuz"), initrd: directory.file("noinitrd"), root: "/dev/xvda", parameters: nil)
        #expect(await startError(job)?.code == .xenInitrdNotFound)
    }

    @Test func unreachableHypervisorIsAHostError() async throws {
        let directory = try JobDirectory()
        let driver = TestHost.driver(uri: "qemu+unix:///system?socket=\(directory.path)/no-such-socket")
        let error = try #require(await startError(directory.job(), driver))
        #expect(error.code == .critical && error.fault == .host, "not a hold token: the job is fine, the host is not")
        #expect(error.message.contains("no-such-socket"))
        await #expect(throws: VMGAHPError.self) { try await driver.probe() }
        // The driver survives and tries again on the next call.
        #expect(await startError(directory.job(), driver)?.code == .critical)
    }

    @Test func aDomainThatVanishedIsStopped() async throws {
        let directory = try JobDirectory()
        let job = directory.job()
        let vm = try await TestHost.driver().start(job)
        try await TestHost.driver().destroy(name: job.name)
        #expect(try await vm.status().state == .stopped)
        await #expect { try await vm.softSuspend() } throws: { ($0 as? VMGAHPError)?.code == .invalidOperation }
        try await vm.stop()
    }

    @Test func duplicateStartIsAHostError() async throws {
        let directory = try JobDirectory()
        let job = directory.job()
        let driver = TestHost.driver()
        let vm = try await driver.start(job)
        let error = await startError(job, driver)
        #expect(error != nil)
        #expect(error?.code.putsJobOnHold == false)
        await vm.tearDown()
    }

    @Test func libvirtErrorsMapByNumber() {
        func map(_ code: virErrorNumberRaw, _ op: DriverOperation) -> VMGAHPError.Code {
            LibvirtError(code: Int32(code), domain: 0, message: "m").vmgahpError(during: op).code
        }
        #expect(map(42, .stop) == .vmNotFound)  // VIR_ERR_NO_DOMAIN
        #expect(map(55, .resume) == .invalidOperation)  // VIR_ERR_OPERATION_INVALID
        #expect(map(27, .start) == .badImage)  // VIR_ERR_XML_ERROR
        #expect(map(67, .start) == .badImage)  // VIR_ERR_CONFIG_UNSUPPORTED
        #expect(map(1, .checkpoint) == .cannotCreateCheckpointFiles)
        #expect(map(38, .start) == .internal)  // VIR_ERR_SYSTEM_ERROR
        #expect(map(6, .start) == .critical)  // VIR_ERR_NO_CONNECT: the daemon is unreachable
        #expect(map(45, .start) == .internal)  // VIR_ERR_AUTH_FAILED: a host problem
        var lost = LibvirtError(code: 27, domain: 0, message: "m")
        lost.duringConnect = true
        #expect(lost.vmgahpError(during: .start).code == .critical)
    }

    typealias virErrorNumberRaw = Int
}

@Suite struct EventTests {
    @Test func aGuestThatStopsOnItsOwnIsStoppedAtOnce() async throws {
        let directory = try JobDirectory()
        let job = directory.job()
        let driver = TestHost.driver()
        let vm = try #require(try await driver.start(job) as? LibvirtVM)
        #expect(vm.phase == .running)
        // Subscribed before the destroy, so only the lifecycle event can fire it.
        let stopped = OneShot()
        let token = driver.events.observe(job.name) { if $0.isStopped { stopped.fire(true) } }
        defer { driver.events.cancel(token) }
        try await TestHost.driver().destroy(name: job.name)
        let timeout = Task {
            try await Task.sleep(for: .seconds(20))
            stopped.fire(false)
        }
        defer { timeout.cancel() }
        #expect(await stopped.value(), "the STOPPED event arrived")
        #expect(vm.phase == .stopped, "the VM learnt it from the event, before any STATUS")
    }

    /// HTCondor's §3.3: once the guest shut itself down, the writable transferred disks are
    /// stamped "now" so the starter sends them back; a read-only one and a STOPped guest's are not.
    @Test func aGuestThatShutItselfDownHasItsWritableDisksStamped() async throws {
        let directory = try JobDirectory()
        let job = directory.job(disks: [directory.disk("disk.img", "vda"), directory.disk("data.img", "vdb", writable: false)])
        let old = Date(timeIntervalSince1970: 1_000_000_000)
        for disk in job.disks { try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: disk.path) }
        let driver = TestHost.driver()
        let vm = try #require(try await driver.start(job) as? LibvirtVM)
        try await TestHost.driver().destroy(name: job.name)
        #expect(try await vm.status().state == .stopped)
        #expect(await vm.tearDown())
        func modified(_ path: String) throws -> Date { try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date }
        #expect(try modified(job.disks[0].path) > Date().addingTimeInterval(-60), "writable: stamped")
        #expect(try modified(job.disks[1].path) == old, "read-only: left alone")

        let stopped = directory.job(disks: [directory.disk("disk.img", "vda")])
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: stopped.disks[0].path)
        let second = try await driver.start(stopped)
        try await second.stop()
        #expect(try modified(stopped.disks[0].path) == old, "a STOP is no self shutdown")
    }

    @Test func waitingGivesUpAfterTheGracePeriod() async {
        let events = DomainEvents()
        let clock = ContinuousClock()
        let started = clock.now
        #expect(await events.waitUntilGone("nobody", within: .milliseconds(200)) { false } == false)
        #expect(clock.now - started >= .milliseconds(200))
        #expect(await events.waitUntilGone("nobody", within: .seconds(20)) { true })
    }

    @Test func eventsReachOnlyTheirDomainsObservers() {
        let events = DomainEvents()
        let seen = Counter()
        let token = events.observe("a") { _ in seen.add() }
        events.deliver(LifecycleEvent(domainName: "b", event: 5, detail: 0))
        events.deliver(LifecycleEvent(domainName: "a", event: 5, detail: 0))
        events.cancel(token)
        events.deliver(LifecycleEvent(domainName: "a", event: 5, detail: 0))
        #expect(seen.value == 1)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}
