import Testing
import VMCore
@testable import JobAd

@Suite struct DiskTests {
    let space: Workspace
    let kvm: AdFixture
    let xen: AdFixture

    init() throws {
        space = try Workspace()
        for file in ["disk.qcow2", "disk.img", "vmlinuz", "initrd.img"] { try space.file(file) }
        kvm = try AdFixture(corpus: "kvm-basic", in: space)
        xen = try AdFixture(corpus: "xen-pv", in: space)
    }

    @Test func missingDiskListHasTheTypesToken() {
        #expect(kvm.setting("VMPARAM_vm_Disk", nil).refusal()?.code == .kvmNoDiskParam)
        #expect(xen.setting("VMPARAM_vm_Disk", nil).refusal()?.code == .xenNoDiskParam)
    }

    @Test(arguments: [
        "\"disk.qcow2\"", "\"disk.qcow2:vda\"", "\"disk.qcow2:vda:w:qcow2:x\"", "\"disk.qcow2:vda1:w\"", "\"disk.qcow2:vda:rwx\"",
        "\"disk.qcow2:vda:w:iso\"", "\"disk.qcow2:vda:w,disk.img:vda:r\"", "\"missing.img:vda:w\"", "\"\"", "42",
    ])
    func malformedDiskListsAreInvalid(_ value: String) {
        #expect(kvm.setting("VMPARAM_vm_Disk", value).refusal()?.code == .kvmInvalidDiskParam)
        #expect(xen.setting("VMPARAM_vm_Disk", value).refusal()?.code == .xenInvalidDiskParam)
    }

    @Test func spacesAroundSeparatorsAndCaseAreAccepted() throws {
        let job = try kvm.setting("VMPARAM_vm_Disk", "\" disk.qcow2 : VDA : RW : QCOW2 , disk.img:vdb:R \"").describe()
        #expect(job.disks.map(\.device) == ["vda", "vdb"])
        #expect(job.disks.map(\.writable) == [true, false])
        #expect(job.disks.map(\.format) == ["qcow2", "raw"], "no format declared: raw, checked")
    }

    @Test func isoImagesBecomeReadOnlyCDROMs() throws {
        try space.file("boot.ISO")
        try space.file("my.isolated.img")
        let job = try kvm.setting("VMPARAM_vm_Disk", "\"disk.img:vda:w,boot.ISO:hdc:r,my.isolated.img:vdb:r\"").describe()
        #expect(job.disks.map(\.isCDROM) == [false, true, false])
        #expect(kvm.setting("VMPARAM_vm_Disk", "\"boot.ISO:hdc:w\"").refusal()?.code == .kvmInvalidDiskParam)
    }

    @Test func sharedStorageDisksAreNotTransferred() throws {
        let shared = try space.file(space.sharedRoot + "/base.img")
        let policy = HostPolicy.testHost.with { $0.allowedDiskRoots = [space.sharedRoot] }
        let job = try kvm.setting("VMPARAM_vm_Disk", "\"\(shared):vda:r\"").describe(policy: policy)
        #expect(job.disks == [.init(path: shared, device: "vda", writable: false, format: "raw", isCDROM: false, transferred: false)])
        // Without roots, the job user's access decides (as HTCondor's); roots restrict further.
        #expect(try kvm.setting("VMPARAM_vm_Disk", "\"\(shared):vda:r\"").describe().disks.map(\.path) == [shared])
        let elsewhere = HostPolicy.testHost.with { $0.allowedDiskRoots = [space.root + "/execute"] }
        #expect(kvm.setting("VMPARAM_vm_Disk", "\"\(shared):vda:r\"").refusal(policy: elsewhere)?.code == .kvmInvalidDiskParam)
    }

    @Test func checkpointWithTransferredDisksIsRefusedPerType() throws {
        #expect(kvm.setting("JobVMCheckpoint", "true").refusal()?.code == .kvmMismatchedCheckpoint)
        #expect(xen.setting("JobVMCheckpoint", "true").refusal()?.code == .xenMismatchedCheckpoint)
        // Naming the memory image is not enough: it must be in the working directory.
        #expect(kvm.setting("JobVMCheckpoint", "true").setting("TransferIntermediate", "\"xen.mem.ckpt\"").refusal()?.code == .kvmMismatchedCheckpoint)
    }
}
