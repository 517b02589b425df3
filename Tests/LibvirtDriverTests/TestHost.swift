import Foundation
import Logging
import TestSupport
import VMCore

@testable import LibvirtDriver

/// Drivers on libvirt's in-process test driver, and job directories with the files the
/// corpus ads name.
enum TestHost {
    /// All connections of one process to `test:///default` share its state, so every
    /// test names its domains uniquely.
    static let uri = "test:///default"

    static let quiet = Logger(label: "libvirt-test") { _ in SwiftLogNoOpLogHandler() }

    static func driver(
        _ vmType: String = "kvm", uri: String = TestHost.uri, policy: HostPolicy = HostPolicy(maxMemoryMiB: 4096),
        settings extra: [String: String] = [:], jobOwner: FileOwner? = nil
    ) -> LibvirtDriver {
        var knobs = ["VM_LIBVIRT_URI": uri, "VM_GAHP_STOP_GRACE": "2"]
        knobs.merge(extra) { $1 }
        let frozen = knobs
        return LibvirtDriver(DriverContext(
            vmType: vmType, policy: policy, setting: { frozen[$0.uppercased()] }, logger: quiet, jobOwner: jobOwner,
            userSwitch: UserSwitch(executable: TestPaths.product("condor_vm-gahp").path)))
    }

    static func uniqueName(_ base: String = "alice_submit.example.org") -> String {
        "\(base)_\(UInt32.random(in: 1...UInt32.max)).0"
    }
}

/// A working directory holding every file the corpus ads name.
final class JobDirectory: @unchecked Sendable {
    let directory: TemporaryDirectory
    var path: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory(prefix: "libvirt-driver")
        for raw in ["disk.img", "data.img", "boot.iso", "vmlinuz", "initrd.img"] {
            try directory.write(raw, "")
        }
        for qcow in ["disk.qcow2", "root.qcow2"] {
            try Data([0x51, 0x46, 0x49, 0xFB, 0, 0, 0, 3]).write(to: directory.url.appendingPathComponent(qcow))
        }
    }

    func file(_ name: String) -> String { directory.url.appendingPathComponent(name).path }

    func disk(_ name: String, _ device: String, writable: Bool = true, format: String? = nil) -> JobDescription.Disk {
        JobDescription.Disk(path: file(name), device: device, writable: writable, format: format, isCDROM: name.hasSuffix(".iso"))
    }

    func job(_ vmType: String = "kvm", name: String = TestHost.uniqueName(), memory: Int = 64, disks: [JobDescription.Disk]? = nil) -> JobDescription {
        JobDescription(
            vmType: vmType, name: name, workingDirectory: path, memoryMiB: memory, vcpus: 1,
            disks: disks ?? [disk("disk.img", vmType == "xen" ? "xvda" : "vda")])
    }

    /// The corpus ads' jobs, written out by hand as JobAd would build them, with their
    /// ad lines pointed at this directory.
    func corpusJobs() throws -> [(ad: String, job: JobDescription)] {
        func lines(_ ad: String) throws -> [String] {
            try JobAdFixture.lines(ad, workingDirectory: path)
        }
        let name = "alice_submit.example.org_4242.0"
        func make(_ ad: String, _ type: String, memory: Int, vcpus: Int = 1, _ edit: (inout JobDescription) -> Void) throws -> (String, JobDescription) {
            var job = JobDescription(vmType: type, name: name, workingDirectory: path, memoryMiB: memory, vcpus: vcpus, adLines: try lines(ad))
            edit(&job)
            return (ad, job)
        }
        return [
            try make("kvm-basic", "kvm", memory: 512) { $0.disks = [disk("disk.qcow2", "vda", format: "qcow2")] },
            try make("kvm-bridge", "kvm", memory: 256) {
                $0.disks = [disk("disk.img", "vda")]
                $0.networking = .init(kind: .bridge, bridgeInterface: "br0")
            },
            try make("kvm-checkpoint", "kvm", memory: 256) {
                $0.disks = [disk("disk.qcow2", "vda", format: "qcow2")]
                $0.checkpoint = true
            },
            try make("kvm-multidisk-vnc", "kvm", memory: 128) {
                $0.disks = [
                    disk("root.qcow2", "vda", format: "qcow2"), disk("data.img", "vdb", writable: false, format: "raw"),
                    disk("boot.iso", "hdc", writable: false),
                ]
                $0.vncConsole = true
            },
            try make("kvm-nat-2cpu", "kvm", memory: 1024, vcpus: 2) {
                $0.disks = [disk("disk.img", "vda", format: "raw")]
                $0.networking = .init(kind: .nat, mac: "52:54:00:12:34:56")
            },
            try make("kvm-no-output", "kvm", memory: 64) {
                $0.disks = [disk("disk.img", "vda", writable: false)]
                $0.noOutputVM = true
            },
            try make("xen-hvm", "xen", memory: 512) {
                $0.disks = [disk("disk.img", "hda")]
                $0.hardwareVT = true
                $0.xen = .hvm
            },
            try make("xen-included", "xen", memory: 256) {
                $0.disks = [disk("disk.img", "xvda")]
                $0.networking = .init(kind: .nat)
                $0.xen = .bootloader("/usr/bin/pygrub")
            },
            try make("xen-pv", "xen", memory: 256, vcpus: 2) {
                $0.disks = [disk("disk.img", "xvda1")]
                $0.xen = .kernel(path: file("vmlinuz"), initrd: file("initrd.img"), root: "/dev/xvda1", parameters: "console=hvc0 quiet")
            },
        ]
    }
}
