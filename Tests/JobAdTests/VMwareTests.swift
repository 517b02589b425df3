import Foundation
import Testing
import VMCore
@testable import JobAd

@Suite struct VMwareTests {
    let space: Workspace
    let base: AdFixture

    init() throws {
        space = try Workspace()
        for file in ["winxp.vmx", "winxp.vmdk", "winxp-s001.vmdk"] { try space.file(file) }
        base = try AdFixture(corpus: "vmware-transfer", in: space)
    }

    @Test func vmxIsRequired() {
        #expect(base.setting("VMPARAM_VMware_VMX_File", nil).refusal()?.code == .vmwareNoVMXParam)
        #expect(base.setting("VMPARAM_VMware_VMX_File", "\"missing.vmx\"").refusal()?.code == .vmwareNoVMXParam)
        #expect(base.setting("VMPARAM_VMware_VMX_File", "\"../../../../etc/shadow\"").refusal()?.code == .vmwareNoVMXParam)
    }

    @Test func vmdksMustBeConfined() {
        let elsewhere = HostPolicy.testHost.with { $0.allowedDiskRoots = [space.sharedRoot] }
        #expect(base.setting("VMPARAM_VMware_VMDK_Files", "\"winxp.vmdk,/etc/passwd\"").refusal(policy: elsewhere)?.code == .badImage)
        #expect(base.setting("VMPARAM_VMware_Dir", "\"/etc\"").refusal(policy: elsewhere)?.code == .vmwareNoVMXParam)
        if geteuid() == 0 {
            // Without roots, the job user's access decides: nobody cannot read /etc/shadow.
            #expect(base.setting("VMPARAM_VMware_VMDK_Files", "\"winxp.vmdk,/etc/shadow\"").refusal()?.code == .badImage)
        }
    }

    @Test func sharedFilesComeFromTheVMwareDirectory() throws {
        let dir = space.sharedRoot + "/vms"
        try space.file(dir + "/shared.vmx")
        try space.file(dir + "/shared.vmdk")
        let shared = base.setting("VMPARAM_VMware_Transfer", "false").setting("VMPARAM_VMware_SnapshotDisk", "false")
            .setting("VMPARAM_VMware_Dir", "\"\(dir)\"").setting("VMPARAM_VMware_VMX_File", "\"shared.vmx\"")
            .setting("VMPARAM_VMware_VMDK_Files", "\"shared.vmdk\"")
        let policy = HostPolicy.testHost.with { $0.allowedDiskRoots = [space.sharedRoot] }
        #expect(try shared.describe(policy: policy).vmware == .init(
            vmxFile: dir + "/shared.vmx", vmdkFiles: [dir + "/shared.vmdk"], directory: dir, transfer: false, snapshotDisk: false))
        let elsewhere = HostPolicy.testHost.with { $0.allowedDiskRoots = [space.root + "/execute"] }
        #expect(shared.refusal(policy: elsewhere)?.code == .vmwareNoVMXParam)
    }
}
