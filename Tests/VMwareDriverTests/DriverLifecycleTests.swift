import ClassAd
import Foundation
import JobAd
import Logging
import Testing
import TestSupport
import VMCore
@testable import VMwareDriver

/// The driver itself, running the real control script against the simulator: each step
/// is checked in the simulator's state and in the kernel's view of the vmware-vmx process.
@Suite struct DriverLifecycleTests {
    static let policy = HostPolicy(maxMemoryMiB: 1024, hostCPUs: 2)

    func driver(_ host: SimulatedHost, timeout: Int = 30, settings extra: [String: String] = [:], workingDirectory: String? = nil) throws -> VMwareDriver {
        var settings = ["VMWARE_SCRIPT": SimulatedHost.script, "VMWARE_SCRIPT_TIMEOUT": String(timeout)]
        settings.merge(extra) { $1 }
        let frozen = settings
        return try VMwareDriver(DriverContext(
            vmType: "vmware", policy: Self.policy, workingDirectory: workingDirectory ?? host.job,
            setting: { frozen[$0] }, logger: Logger(label: "test"), environment: host.environment))
    }

    func job(_ host: SimulatedHost, _ extra: [String] = []) throws -> JobDescription {
        let lines = try host.adLines(extra)
        return try JobAdReader.describe(ClassAd.parse(lines: lines).ad, adLines: lines, requestedType: "vmware", gahpType: "vmware", policy: Self.policy)
    }

    func startError(_ driver: VMwareDriver, _ job: JobDescription) async -> VMGAHPError? {
        do { _ = try await driver.start(job); return nil } catch { return error as? VMGAHPError }
    }

    @Test func lifecycle() async throws {
        let host = try SimulatedHost()
        let driver = try driver(host)
        let vm = try await driver.start(try job(host, ["JobVMCheckpoint = true"]))
        let vmx = try #require(host.generatedVMX)
        #expect(host.operations() == ["snapshot", "start"])
        var record = try #require(host.vm(vmx))
        #expect(record["power"] == "on" && record["snapshots"] == "condor-snapshot")
        let pid = try #require(Int32(record["pid"] ?? ""))
        #expect(SimulatedHost.processState(pid) != nil)
        #expect(try await vm.pid() == Int(pid))

        var status = try await vm.status()
        #expect(status.state == .running && status.pid == Int(pid))

        try await vm.softSuspend()
        #expect(await SimulatedHost.waitForState(pid, "T"))
        #expect(try await vm.status().state == .softSuspended)
        try await vm.resume()
        #expect(await SimulatedHost.waitForState(pid, "S", "R"))

        try await vm.suspend()
        record = try #require(host.vm(vmx))
        #expect(record["power"] == "suspended")
        #expect(await SimulatedHost.waitUntilGone(pid))
        #expect(try await vm.status().state == .suspended)
        try await vm.resume()
        record = try #require(host.vm(vmx))
        let second = try #require(Int32(record["pid"] ?? ""))
        #expect(record["power"] == "on" && second != pid && SimulatedHost.processState(second) != nil)
        status = try await vm.status()
        #expect(status.state == .running && status.pid == Int(second))

        try await vm.checkpoint()
        #expect(host.vm(vmx)?["power"] == "suspended")
        #expect(await SimulatedHost.waitUntilGone(second))
        try await vm.stop()
        #expect(host.vm(vmx)?["power"] != "on")
        #expect(try await vm.status() == .stopped)
        // SOFT_SUSPEND and its RESUME are signals, not VMware calls; a suspended VM's STOP needs none.
        #expect(host.operations() == ["snapshot", "start", "suspend", "start", "suspend"])
    }

    @Test func aNetworkedVMReportsItsMACAndIP() async throws {
        let host = try SimulatedHost()
        let policy = HostPolicy(maxMemoryMiB: 1024, networkingEnabled: true, networkingTypes: [.nat], hostCPUs: 2)
        let driver = try VMwareDriver(DriverContext(
            vmType: "vmware", policy: policy, workingDirectory: host.job,
            setting: { $0 == "VMWARE_SCRIPT" ? SimulatedHost.script : nil }, logger: Logger(label: "test"), environment: host.environment))
        let lines = try host.adLines(["JobVMNetworking = true", "VMPARAM_VMware_SnapshotDisk = false"])
        let job = try JobAdReader.describe(ClassAd.parse(lines: lines).ad, adLines: lines, requestedType: "vmware", gahpType: "vmware", policy: policy)
        let vm = try await driver.start(job)
        let status = try await vm.status()
        #expect(status.state == .running)
        #expect(status.mac?.hasPrefix("00:0c:29:") == true && status.ip?.hasPrefix("192.168.") == true, "\(status)")
        #expect(try String(contentsOfFile: try #require(host.generatedVMX), encoding: .utf8).contains("ethernet0.connectionType = \"nat\""))
        try await vm.stop()
        #expect(host.operations() == ["start", "getGuestIPAddress", "stop"])
    }

    @Test func aGuestThatPowersItselfOffIsStopped() async throws {
        let host = try SimulatedHost()
        let vm = try await driver(host).start(try job(host))
        let pid = try #require(host.vmxPid)
        kill(pid, SIGTERM)
        #expect(await SimulatedHost.waitUntilGone(pid))
        #expect(try await vm.status() == .stopped)
    }

    @Test func killModeFindsTheVMByName() async throws {
        let host = try SimulatedHost()
        let driver = try driver(host)
        // Kill mode matches every VM of that name on the host: keep it this test's own.
        let job = try job(host, ["ClusterId = \(Int.random(in: 100_000...999_999))"])
        _ = try await driver.start(job)
        let pid = try #require(host.vmxPid)
        try await driver.destroy(name: job.name)
        #expect(await SimulatedHost.waitUntilGone(pid))
    }

    @Test func vmrunFailingIsAHostErrorWithItsMessageInTheLog() async throws {
        let host = try SimulatedHost()
        try host.fail("start", "Insufficient permissions in host operating system")
        let error = await startError(try driver(host), try job(host))
        #expect(error?.fault == .host && error?.code == .internal)
        #expect(error?.message.contains("Insufficient permissions in host operating system") == true)
        #expect(host.records().allSatisfy { $0["power"] != "on" })
        #expect(await host.waitUntilNothingRuns() == [])
    }

    @Test func aHangingVmrunIsKilledAtTheTimeout() async throws {
        let host = try SimulatedHost()
        try host.hang("start")
        let error = await startError(try driver(host, timeout: 3), try job(host))
        #expect(error?.message.contains("did not finish within") == true)
        // On a loaded host the timeout may strike before vmrun got as far as hanging.
        if host.hungPid("start") == nil { print("aHangingVmrunIsKilledAtTheTimeout: the script was killed before vmrun hung") }
        #expect(await host.waitUntilNothingRuns() == [], "the script or the hung vmrun outlived the timeout")
        #expect(host.records().allSatisfy { $0["power"] != "on" })
    }

    @Test func playerCannotSnapshot() async throws {
        let host = try SimulatedHost(product: "player")
        let driver = try driver(host)
        let error = await startError(driver, try job(host))
        // Like networking the host does not offer: the job asks for what this host lacks, and is held.
        #expect(error?.fault == .job && error?.code == .mismatchedHardwareVT && error?.message.contains("VMware Player") == true)
        #expect(host.operations().isEmpty)
        let capabilities = try await driver.probe()
        #expect(capabilities.extraAttributes.contains(MachineAttribute("VMware_Snapshots", .boolean(false))))
        // Without a snapshot the job runs.
        let vm = try await driver.start(try job(host, ["VMPARAM_VMware_SnapshotDisk = false"]))
        #expect(host.operations() == ["start"])
        try await vm.stop()
    }

    @Test func aWorkingDirectoryThroughASymlinkIsRefused() async throws {
        let host = try SimulatedHost()
        let link = host.root.path + "/link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: host.job)
        let error = await startError(try driver(host, workingDirectory: link), try job(host))
        #expect(error?.fault == .host && error?.message.contains("symbolic link \(link)") == true)
        #expect(host.operations().isEmpty)
    }

    @Test func theGeneratedVMXIsNeverWrittenThroughALink() throws {
        let host = try SimulatedHost()
        try FileManager.default.createSymbolicLink(atPath: host.job + "/planted.vmx", withDestinationPath: host.root.path + "/elsewhere")
        #expect(throws: VMGAHPError.self) {
            try JobDirectory.createExclusively("planted.vmx", in: host.job, text: "x", owner: nil)
        }
        #expect(!FileManager.default.fileExists(atPath: host.root.path + "/elsewhere"))
        try JobDirectory.createExclusively("fresh.vmx", in: host.job, text: "x = \"1\"\n", owner: nil)
        #expect(throws: VMGAHPError.self) { try JobDirectory.createExclusively("fresh.vmx", in: host.job, text: "y", owner: nil) }
    }

    @Test func anUnusableHostIsRefusedWhenTheDriverIsMade() throws {
        let host = try SimulatedHost()
        #expect(throws: VMGAHPError.self) { try driver(host, settings: ["VMWARE_SCRIPT": "/nonexistent/condor_vm_vmware"]) }
        let noCLI = DriverContext(vmType: "vmware", policy: Self.policy, setting: { $0 == "VMWARE_SCRIPT" ? SimulatedHost.script : nil },
                                  logger: Logger(label: "test"), environment: ["PATH": "/usr/bin:/bin"])
        #expect(throws: VMGAHPError.self) { try VMwareDriver(noCLI) }
    }

    @Test func doctorNamesWhatIsUnusableAndHowToMendIt() async throws {
        let host = try SimulatedHost()
        let healthy = DriverContext(vmType: "vmware", policy: Self.policy, setting: { $0 == "VMWARE_SCRIPT" ? SimulatedHost.script : nil },
                                    logger: Logger(label: "test"), environment: host.environment)
        let fine = await VMwareDriverRegistration.doctor.checks(healthy)
        #expect(fine.map(\.title) == ["VMWARE_PERL", "VMWARE_SCRIPT", "VMware CLI"])
        #expect(fine.allSatisfy { $0.status == .pass }, "\(fine)")
        let broken = DriverContext(vmType: "vmware", policy: Self.policy, setting: { $0 == "VMWARE_SCRIPT" ? "/nonexistent/condor_vm_vmware" : nil },
                                   logger: Logger(label: "test"), environment: ["PATH": "/usr/bin:/bin"])
        let found = await VMwareDriverRegistration.doctor.checks(broken)
        #expect(found.map(\.status) == [.pass, .fail, .fail])
        #expect(found[1].fix?.contains("/nonexistent/condor_vm_vmware does not exist") == true)
        #expect(found[2].fix?.contains("vmrun") == true)
    }
}
