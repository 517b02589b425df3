import Foundation
import Testing
import TestSupport

/// `condor_vm-gahp doctor` run in a directory of its own, with a configuration file made of
/// a healthy base plus the lines a test adds, EXECUTE inside the directory.
struct DoctorRun {
    let work: TemporaryDirectory

    init() throws { work = try TemporaryDirectory(prefix: "doctor") }

    func callAsFunction(_ arguments: [String] = [], config lines: [String] = []) async throws -> (status: Int32?, output: String) {
        let execute = work.url.appendingPathComponent("execute").path
        try FileManager.default.createDirectory(atPath: execute, withIntermediateDirectories: true)
        let base = [
            "VM_TYPE = kvm", "VM_MEMORY = 1024", "VM_NETWORKING = true", "VM_NETWORKING_TYPE = nat",
            "VM_LIBVIRT_URI = test:///default", "EXECUTE = \(execute)",
        ]
        let config = try work.write("condor_config", (base + lines).joined(separator: "\n") + "\n")
        let gahp = try GahpProcess(
            executable: TestPaths.product("condor_vm-gahp"), arguments: ["doctor"] + arguments,
            environment: ["CONDOR_CONFIG": config, "PATH": "/usr/bin:/bin:/usr/sbin:/sbin"])
        let status = await gahp.exitStatus(timeout: .seconds(60))
        return (status, gahp.standardOutput)
    }
}

/// `condor_vm-gahp doctor`, run as an admin runs it, on a healthy host (libvirt's test
/// hypervisor; the real KVM host is in KVMDoctorTests.swift) and on broken ones: each problem
/// named with its fix.
@Suite struct DoctorTests {
    let doctor: DoctorRun
    var work: TemporaryDirectory { doctor.work }

    init() throws { doctor = try DoctorRun() }

    @Test func healthyTestHypervisor() async throws {
        let (status, output) = try await doctor(["--start-test"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("PASS  libvirt at test:///default: libvirt "))
        #expect(output.contains("PASS  nat networking (libvirt network 'default'): the network 'default' is active"))
        #expect(output.contains("PASS  execute directory: "))
        #expect(output.contains("PASS  start test: vmgahp-doctor-"))
        #expect(output.contains("The startd will publish:\n  VM_GAHP_VERSION = \"0.1.0\"\n  VM_Type = \"kvm\"\n  VM_Memory = 1024\n  VM_Networking = TRUE\n  VM_Networking_Types = \"nat\"\n"))
        #expect(output.hasSuffix("This host can run kvm jobs.\n"))
    }

    @Test func noDaemonIsNamedWithHowToStartIt() async throws {
        let socket = work.url.appendingPathComponent("nobody-listens.sock").path
        let (status, output) = try await doctor(config: ["VM_LIBVIRT_URI = qemu+unix:///system?socket=\(socket)"])
        #expect(status == 1)
        #expect(output.contains("FAIL  libvirt at qemu+unix:///system?socket=\(socket): no libvirt daemon answers: "), "\(output)")
        #expect(output.contains("fix: start it: 'systemctl enable --now libvirtd'"))
        #expect(output.contains("SKIP  nat networking (libvirt network 'default'): not checked: libvirt did not answer"))
        #expect(output.contains("FAIL  startd probe (-M 0 vmtype kvm): the probe fails"))
        #expect(!output.contains("The startd will publish:"))
        #expect(output.hasSuffix("This host cannot run kvm jobs: 2 problems to fix.\n"))
    }

    @Test func missingBridgeIsNamedWithTheBridgesThereAre() async throws {
        let (status, output) = try await doctor(config: [
            "VM_NETWORKING_TYPE = bridge", "VM_NETWORKING_BRIDGE_INTERFACE = vmgahpnobr0",
        ])
        #expect(status == 1)
        #expect(output.contains("FAIL  bridge networking: there is no network interface vmgahpnobr0 (it is the default networking type)"), "\(output)")
        #expect(output.contains("fix: ") && output.contains("vmgahpnobr0"))
        // The probe still answers, without the type: jobs without networking can run.
        #expect(output.contains("  VM_Networking = FALSE\n"))
    }

    @Test func aMissingBridgeBesideAWorkingTypeIsAWarning() async throws {
        let (status, output) = try await doctor(config: [
            "VM_NETWORKING_TYPE = nat, bridge", "VM_NETWORKING_DEFAULT_TYPE = nat", "VM_NETWORKING_BRIDGE_INTERFACE = vmgahpnobr0",
        ])
        #expect(status == 0, "\(output)")
        #expect(output.contains("WARN  bridge networking: there is no network interface vmgahpnobr0; the probe leaves it out of VM_Networking_Types"))
        #expect(output.hasSuffix("This host can run kvm jobs (1 warning).\n"))
    }

    @Test func missingMemoryIsNamedWithTheLineToAdd() async throws {
        let (status, output) = try await doctor(config: ["VM_MEMORY ="])
        #expect(status == 1)
        #expect(output.contains("FAIL  VM_MEMORY: not set: the gahp refuses to run without it\n        fix: add 'VM_MEMORY = <MiB>'"), "\(output)")
    }

    @Test func badConfigurationIsNamedByFileAndLine() async throws {
        let (status, output) = try await doctor(config: ["include command : /bin/true"])
        #expect(status == 1)
        #expect(output.contains("FAIL  configuration: \(work.path)/condor_config, line 7: "), "\(output)")
        #expect(output.contains("fix: "))
    }

    @Test func unusableValueIsNamedWhereItIsDefined() async throws {
        let (status, output) = try await doctor(config: ["VM_MEMORY = lots"])
        #expect(status == 1)
        #expect(output.contains("FAIL  configuration values: \(work.path)/condor_config, line 7: "), "\(output)")
    }

    @Test func executeDirectoryThroughASymlinkIsNamedWithTheRealPath() async throws {
        let real = work.url.appendingPathComponent("real-execute").path
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        let link = work.url.appendingPathComponent("linked").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let (status, output) = try await doctor(config: ["EXECUTE = \(link)/"])
        #expect(status == 1)
        #expect(output.contains("FAIL  execute directory: \(link) is a symbolic link"), "\(output)")
        let resolved = URL(fileURLWithPath: real).resolvingSymlinksInPath().path
        #expect(output.contains("fix: set EXECUTE to the real path, \(resolved)"))
    }

    @Test func unknownTypeSaysWhichTypesThereAre() async throws {
        let (status, output) = try await doctor(["bhyve"])
        #expect(status == 1)
        #expect(output.contains("FAIL  VM type: this gahp has no driver for 'bhyve' (it has: "), "\(output)")
        #expect(output.contains("kvm"))
    }
}

extension KVMEndToEnd {
    /// Doctor on URIs that only the system libvirtd can judge: these ask the shared daemon,
    /// so they run in the serialized KVM suite, never while a fault test has it stopped.
    @Suite struct DoctorURIs {
        let doctor: DoctorRun

        init() throws { doctor = try DoctorRun() }

        @Test func wrongURIIsNamedWithTheOneToUse() async throws {
            let (status, output) = try await doctor(["--json"], config: ["VM_LIBVIRT_URI = qemu:///nonsense-path"])
            #expect(status == 1)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
            let checks = try #require(report["checks"] as? [[String: Any]])
            let libvirt = try #require(checks.first { $0["title"] as? String == "libvirt at qemu:///nonsense-path" })
            #expect(libvirt["status"] as? String == "fail")
            #expect((libvirt["fix"] as? String)?.contains("VM_LIBVIRT_URI") == true, "\(libvirt)")
            #expect(report["canRunJobs"] as? Bool == false)
            #expect((report["attributes"] as? [String]) == [])
        }

        @Test func unknownURISchemeIsNamedWithTheOneToUse() async throws {
            let (status, output) = try await doctor(config: ["VM_LIBVIRT_URI = bogus:///x"])
            #expect(status == 1)
            #expect(output.contains("FAIL  libvirt at bogus:///x: libvirt cannot open this URI: "), "\(output)")
            #expect(output.contains("fix: set VM_LIBVIRT_URI to a URI this libvirt serves (for kvm: qemu:///system)"))
        }
    }
}
