import Testing
import VMCore
@testable import JobAd

@Suite struct XenTests {
    let space: Workspace
    let pv: AdFixture

    init() throws {
        space = try Workspace()
        for file in ["disk.img", "vmlinuz", "initrd.img"] { try space.file(file) }
        pv = try AdFixture(corpus: "xen-pv", in: space)
    }

    @Test func kernelIsRequired() {
        #expect(pv.setting("VMPARAM_Xen_Kernel", nil).refusal()?.code == .xenNoKernelParam)
    }

    @Test func includedNeedsTheHostsBootloader() throws {
        let included = pv.setting("VMPARAM_Xen_Kernel", "\" Included \"")
        #expect(try included.describe().xen == .bootloader("/usr/bin/pygrub"))
        #expect(included.refusal(policy: HostPolicy.testHost.with { $0.xenBootloader = nil })?.code == .critical)
        #expect(included.refusal(policy: HostPolicy.testHost.with { $0.xenBootloader = "/usr/bin/pygrub'<x>" })?.code == .critical)
    }

    @Test func vmxNeedsHardwareVT() throws {
        let hvm = pv.setting("VMPARAM_Xen_Kernel", "\"vmx\"")
        #expect(hvm.refusal()?.code == .mismatchedHardwareVT)
        #expect(try hvm.setting("JobVMHardwareVT", "true").describe().xen == .hvm)
    }

    @Test func kernelAndInitrdMustBeConfinedFiles() throws {
        // Outside the working directory, a file the job user cannot read is as good as missing.
        let secret = try space.secret(space.root + "/outside-kernel")
        let unreachable = secret.map { ["\"../../outside-kernel\"", "\"\($0)\"", "\"/etc/shadow\""] } ?? []
        for hostile in ["\"missing\"", "\"vmlinuz'\""] + unreachable {
            #expect(pv.setting("VMPARAM_Xen_Kernel", hostile).refusal()?.code == .xenKernelNotFound, "\(hostile)")
            #expect(pv.setting("VMPARAM_Xen_Initrd", hostile).refusal()?.code == .xenInitrdNotFound, "\(hostile)")
        }
        if case .kernel(_, let initrd, _, _) = try pv.setting("VMPARAM_Xen_Initrd", nil).describe().xen {
            #expect(initrd == nil)
        } else {
            Issue.record("a kernel boot was expected")
        }
    }

    @Test func rootIsRequiredWithAKernelAndChecked() throws {
        #expect(pv.setting("VMPARAM_Xen_Root", nil).refusal()?.code == .xenNoRootDeviceParam)
        for hostile in ["\"/dev/xvda1 init=/bin/sh\"", "\"/dev/xvda1'\"", "\"<root>\"", "\"\""] {
            #expect(pv.setting("VMPARAM_Xen_Root", hostile).refusal()?.code == .xenNoRootDeviceParam, "\(hostile)")
        }
        if case .kernel(_, _, let root, _) = try pv.setting("VMPARAM_Xen_Root", "\"UUID=1234-abcd\"").describe().xen {
            #expect(root == "UUID=1234-abcd")
        } else {
            Issue.record("a kernel boot was expected")
        }
        // Without a kernel file, no root is needed.
        #expect(pv.setting("VMPARAM_Xen_Kernel", "\"included\"").setting("VMPARAM_Xen_Root", nil).refusal() == nil)
    }

    @Test func kernelParametersAreBounded() throws {
        for hostile in ["\"console=hvc0 </cmdline>\"", "\"a & b\"", "\"" + String(repeating: "x", count: 4096) + "\""] {
            #expect(pv.setting("VMPARAM_Xen_Kernel_Params", hostile).refusal()?.code == .xenInvalidGuestKernel)
        }
        if case .kernel(_, _, _, let parameters) = try pv.setting("VMPARAM_Xen_Kernel_Params", nil).describe().xen {
            #expect(parameters == nil)
        } else {
            Issue.record("a kernel boot was expected")
        }
    }
}

extension XenTests {
    /// HTCondor reads the disk list before the kernel parameters, the kernel before both.
    @Test func xenChecksRunInHTCondorsOrder() {
        let badDiskAndParameters = pv.setting("VMPARAM_vm_Disk", "\"disk.img\"").setting("VMPARAM_Xen_Kernel_Params", "\"<x>\"")
        #expect(badDiskAndParameters.refusal()?.code == .xenInvalidDiskParam)
        #expect(badDiskAndParameters.setting("VMPARAM_Xen_Kernel", nil).refusal()?.code == .xenNoKernelParam)
        #expect(badDiskAndParameters.setting("VMPARAM_Xen_Root", nil).refusal()?.code == .xenNoRootDeviceParam)
    }
}
