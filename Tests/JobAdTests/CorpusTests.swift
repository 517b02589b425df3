import Testing
import VMCore
@testable import JobAd

/// Each corpus ad, moved into a temporary working directory holding the files it names,
/// must give exactly what its `.sub` file asks for.
@Suite struct CorpusTests {
    let name = "alice_submit.example.org_4242.0"

    @Test func kvmBasic() throws {
        let space = try Workspace()
        try space.file("disk.qcow2")
        let fixture = try AdFixture(corpus: "kvm-basic", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "kvm", name: name, workingDirectory: wd, memoryMiB: 512, vcpus: 1,
            disks: [.init(path: wd + "/disk.qcow2", device: "vda", writable: true, format: "qcow2", isCDROM: false, transferred: true)],
            adLines: fixture.lines))
    }

    @Test func kvmBridge() throws {
        let space = try Workspace()
        try space.file("disk.img")
        let fixture = try AdFixture(corpus: "kvm-bridge", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "kvm", name: name, workingDirectory: wd, memoryMiB: 256, vcpus: 1,
            networking: .init(kind: .bridge, mac: nil, bridgeInterface: "br0"),
            disks: [.init(path: wd + "/disk.img", device: "vda", writable: true, format: "raw", isCDROM: false, transferred: true)],
            adLines: fixture.lines))
    }

    /// HTCondor refuses a checkpointing job whose disk was transferred (§3.7), which is what
    /// this `.sub` does; with the disk on shared storage, or when restarting from a
    /// checkpoint, the same job is accepted.
    @Test func kvmCheckpoint() throws {
        let space = try Workspace()
        try space.file("disk.qcow2")
        let fixture = try AdFixture(corpus: "kvm-checkpoint", in: space)
        #expect(fixture.refusal()?.code == .kvmMismatchedCheckpoint)

        let shared = try space.file(space.sharedRoot + "/vm/disk-shared.qcow2")
        let onShared = fixture.setting("VMPARAM_vm_Disk", "\"\(shared):vda:w:qcow2\"")
        let policy = HostPolicy.testHost.with { $0.allowedDiskRoots = [space.sharedRoot] }
        #expect(try onShared.describe(policy: policy) == JobDescription(
            vmType: "kvm", name: name, workingDirectory: space.workingDirectory, memoryMiB: 256, vcpus: 1, checkpoint: true,
            disks: [.init(path: shared, device: "vda", writable: true, format: "qcow2", isCDROM: false, transferred: false)],
            adLines: onShared.lines))

        try space.file("xen.mem.ckpt")
        let restart = fixture.setting("TransferIntermediate", "\"disk.qcow2,xen.mem.ckpt\"")
        let job = try restart.describe()
        #expect(job.checkpoint && job.disks[0].transferred)
        #expect(job.transferIntermediate == ["disk.qcow2", "xen.mem.ckpt"])
    }

    @Test func kvmMultidiskVNC() throws {
        let space = try Workspace()
        for file in ["root.qcow2", "data.img", "boot.iso"] { try space.file(file) }
        let fixture = try AdFixture(corpus: "kvm-multidisk-vnc", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "kvm", name: name, workingDirectory: wd, memoryMiB: 128, vcpus: 1, vncConsole: true,
            disks: [
                .init(path: wd + "/root.qcow2", device: "vda", writable: true, format: "qcow2", isCDROM: false, transferred: true),
                .init(path: wd + "/data.img", device: "vdb", writable: false, format: "raw", isCDROM: false, transferred: true),
                .init(path: wd + "/boot.iso", device: "hdc", writable: false, format: "raw", isCDROM: true, transferred: true),
            ],
            adLines: fixture.lines))
    }

    @Test func kvmNat2CPU() throws {
        let space = try Workspace()
        try space.file("disk.img")
        let fixture = try AdFixture(corpus: "kvm-nat-2cpu", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "kvm", name: name, workingDirectory: wd, memoryMiB: 1024, vcpus: 2,
            networking: .init(kind: .nat, mac: "52:54:00:12:34:56", bridgeInterface: nil),
            disks: [.init(path: wd + "/disk.img", device: "vda", writable: true, format: "raw", isCDROM: false, transferred: true)],
            adLines: fixture.lines))
    }

    @Test func kvmNoOutput() throws {
        let space = try Workspace()
        try space.file("disk.img")
        let fixture = try AdFixture(corpus: "kvm-no-output", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "kvm", name: name, workingDirectory: wd, memoryMiB: 64, vcpus: 1, noOutputVM: true,
            disks: [.init(path: wd + "/disk.img", device: "vda", writable: false, format: "raw", isCDROM: false, transferred: true)],
            adLines: fixture.lines))
    }

    @Test func xenHVM() throws {
        let space = try Workspace()
        try space.file("disk.img")
        let fixture = try AdFixture(corpus: "xen-hvm", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "xen", name: name, workingDirectory: wd, memoryMiB: 512, vcpus: 1, hardwareVT: true,
            disks: [.init(path: wd + "/disk.img", device: "hda", writable: true, format: "raw", isCDROM: false, transferred: true)],
            xen: .hvm, adLines: fixture.lines))
    }

    @Test func xenIncluded() throws {
        let space = try Workspace()
        try space.file("disk.img")
        let fixture = try AdFixture(corpus: "xen-included", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "xen", name: name, workingDirectory: wd, memoryMiB: 256, vcpus: 1,
            networking: .init(kind: .nat, mac: nil, bridgeInterface: nil),
            disks: [.init(path: wd + "/disk.img", device: "xvda", writable: true, format: "raw", isCDROM: false, transferred: true)],
            xen: .bootloader("/usr/bin/pygrub"), adLines: fixture.lines))
    }

    @Test func xenPV() throws {
        let space = try Workspace()
        for file in ["disk.img", "vmlinuz", "initrd.img"] { try space.file(file) }
        let fixture = try AdFixture(corpus: "xen-pv", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "xen", name: name, workingDirectory: wd, memoryMiB: 256, vcpus: 2,
            disks: [.init(path: wd + "/disk.img", device: "xvda1", writable: true, format: "raw", isCDROM: false, transferred: true)],
            xen: .kernel(path: wd + "/vmlinuz", initrd: wd + "/initrd.img", root: "/dev/xvda1", parameters: "console=hvc0 quiet"),
            adLines: fixture.lines))
    }

    @Test func vmwareTransfer() throws {
        let space = try Workspace()
        for file in ["winxp.vmx", "winxp.vmdk", "winxp-s001.vmdk"] { try space.file(file) }
        let fixture = try AdFixture(corpus: "vmware-transfer", in: space)
        let wd = space.workingDirectory
        #expect(try fixture.describe() == JobDescription(
            vmType: "vmware", name: name, workingDirectory: wd, memoryMiB: 512, vcpus: 1,
            vmware: .init(vmxFile: wd + "/winxp.vmx", vmdkFiles: [wd + "/winxp.vmdk", wd + "/winxp-s001.vmdk"],
                          directory: wd, transfer: true, snapshotDisk: true),
            transferInput: ["winxp.vmx", "winxp.vmdk", "winxp-s001.vmdk"], adLines: fixture.lines))
    }
}
