import ClassAd
import Testing
import VMCore
@testable import JobAd

/// Ads written to break the gahp: every string that reaches a driver is tried with XML
/// metacharacters, control characters, invalid UTF-8 and megabyte values; each must be
/// refused with a token, never crash, never leak into a description.
@Suite struct HostileAdTests {
    static let markup = ["<", ">", "&", "'", "\\\""]

    let space: Workspace
    let kvm: AdFixture
    let xen: AdFixture
    let vmware: AdFixture
    let policy: HostPolicy

    init() throws {
        space = try Workspace()
        for file in ["disk.img", "disk.qcow2", "vmlinuz", "initrd.img", "winxp.vmx", "winxp.vmdk", "winxp-s001.vmdk"] {
            try space.file(file)
        }
        // Files whose names hold the metacharacters really exist: only the rule refuses them.
        for (index, mark) in ["<", ">", "&", "'", "\""].enumerated() {
            try space.file("bad\(index)\(mark).img")
        }
        kvm = try AdFixture(corpus: "kvm-nat-2cpu", in: space)
        xen = try AdFixture(corpus: "xen-pv", in: space)
        vmware = try AdFixture(corpus: "vmware-transfer", in: space)
        let sharedRoot = space.sharedRoot
        policy = HostPolicy.testHost.with { $0.allowedDiskRoots = [sharedRoot] }
    }

    @Test func markupInEveryDriverStringIsRefused() {
        for (index, mark) in Self.markup.enumerated() {
            let file = "bad\(index)\(mark).img"
            let cases: [(AdFixture, VMGAHPError.Code)] = [
                (kvm.setting("User", "\"al\(mark)ice@example.org\""), .critical),
                (kvm.setting("VMPARAM_vm_Disk", "\"\(file):vda:w\""), .kvmInvalidDiskParam),
                (kvm.setting("VMPARAM_vm_Disk", "\"disk.img:vda\(mark):w\""), .kvmInvalidDiskParam),
                (kvm.setting("VMPARAM_vm_Disk", "\"disk.img:vda:w:raw\(mark)\""), .kvmInvalidDiskParam),
                (kvm.setting("JobVM_MACADDR", "\"52:54:00:12:34:56\(mark)\""), .mismatchedNetworking),
                (kvm.setting("JobVMNetworkingType", "\"nat\(mark)\""), .mismatchedNetworkingType),
                (xen.setting("VMPARAM_vm_Disk", "\"\(file):xvda:w\""), .xenInvalidDiskParam),
                (xen.setting("VMPARAM_Xen_Kernel", "\"\(file)\""), .xenKernelNotFound),
                (xen.setting("VMPARAM_Xen_Initrd", "\"\(file)\""), .xenInitrdNotFound),
                (xen.setting("VMPARAM_Xen_Root", "\"/dev/xvda1\(mark)\""), .xenNoRootDeviceParam),
                (xen.setting("VMPARAM_Xen_Kernel_Params", "\"quiet\(mark)\""), .xenInvalidGuestKernel),
                (vmware.setting("VMPARAM_VMware_VMX_File", "\"\(file)\""), .vmwareNoVMXParam),
                (vmware.setting("VMPARAM_VMware_VMDK_Files", "\"winxp.vmdk,\(file)\""), .badImage),
                (kvm.setting("VM_WORKING_DIR", "\"\(space.workingDirectory)/\(mark)\""), .noJobClassAdInfo),
            ]
            for (fixture, code) in cases {
                #expect(fixture.refusal(policy: policy)?.code == code, "\(mark): \(fixture.lines.last ?? "")")
            }
        }
        #expect(kvm.setting("JobVMNetworkingType", "\"bridge\"")
            .refusal(policy: policy.with { $0.bridgeInterface = "br0\"/>" })?.code == .mismatchedNetworkingType)
    }

    @Test func aSymlinkToAMarkupNameIsRefused() throws {
        try space.symlink("innocent.img", to: "bad0<.img")
        #expect(kvm.setting("VMPARAM_vm_Disk", "\"innocent.img:vda:w\"").refusal(policy: policy)?.code == .kvmInvalidDiskParam)
    }

    @Test func traversalAndEscapingSymlinksAreRefused() throws {
        try space.file(space.root + "/secret.img")
        try space.symlink("escape.img", to: space.root + "/secret.img")
        try space.symlink("escape-dir", to: space.root)
        for name in ["../../etc/shadow", "../../../../../../etc/shadow", "/etc/shadow", "\(space.root)/secret.img",
                     "escape.img", "escape-dir/secret.img", "./../secret.img", "/proc/self/root/etc/shadow", "/dev/sda"] {
            #expect(kvm.setting("VMPARAM_vm_Disk", "\"\(name):vda:w\"").refusal(policy: policy)?.code == .kvmInvalidDiskParam, "\(name)")
            #expect(xen.setting("VMPARAM_Xen_Kernel", "\"\(name)\"").refusal(policy: policy)?.code == .xenKernelNotFound, "\(name)")
        }
    }

    @Test func controlCharactersAreRefused() {
        for control in ["\u{1}", "\t", "\u{1b}", "\u{7f}", "\u{85}"] {
            let disk = kvm.setting("VMPARAM_vm_Disk", "\"disk.img\(control):vda:w\"")
            #expect(disk.refusal(policy: policy)?.code == .kvmInvalidDiskParam, "\(control.unicodeScalars.first!.value)")
            let user = kvm.setting("User", "\"alice\(control)@example.org\"")
            #expect(user.refusal(policy: policy)?.code == .critical)
            let params = xen.setting("VMPARAM_Xen_Kernel_Params", "\"quiet\(control)\"")
            #expect(params.refusal(policy: policy)?.code == .xenInvalidGuestKernel)
        }
    }

    /// ClassAd refuses a line holding NUL, so the attribute is simply missing.
    @Test func nulBytesNeverReachTheDescription() throws {
        #expect(kvm.setting("VMPARAM_vm_Disk", "\"disk.img\u{0}../../etc/shadow:vda:w\"").refusal(policy: policy)?.code == .kvmNoDiskParam)
        #expect(kvm.setting("User", "\"alice\u{0}@example.org\"").refusal(policy: policy)?.code == .critical)
        let params = try xen.setting("VMPARAM_Xen_Kernel_Params", "\"quiet\u{0}init=/bin/sh\"").describe(policy: policy)
        #expect(params.xen == .kernel(path: space.workingDirectory + "/vmlinuz", initrd: space.workingDirectory + "/initrd.img", root: "/dev/xvda1", parameters: nil))
    }

    @Test func invalidUTF8IsRefused() throws {
        // Decoded by the caller: the replacement character reaches us and is refused.
        let decoded = String(decoding: Array("VMPARAM_vm_Disk = \"disk".utf8) + [0xFF, 0xFE] + Array(".img:vda:w\"".utf8), as: UTF8.self)
        var fixture = kvm.setting("VMPARAM_vm_Disk", nil)
        fixture.lines.append(decoded)
        #expect(fixture.refusal(policy: policy)?.code == .kvmInvalidDiskParam)

        // Raw bytes: ClassAd drops the line, so the disk list is missing.
        let raw = kvm.setting("VMPARAM_vm_Disk", nil).lines.map { Array($0.utf8) }
            + [Array("VMPARAM_vm_Disk = \"disk".utf8) + [0xC3, 0x28] + Array(".img:vda:w\"".utf8)]
        let ad = ClassAd.parse(lineBytes: raw).ad
        let error = #expect(throws: VMGAHPError.self) {
            try JobAdReader.describe(ad, adLines: [], requestedType: "kvm", gahpType: "kvm", policy: policy)
        }
        #expect(error?.code == .kvmNoDiskParam)
    }

    @Test func megabyteValuesAreRefused() {
        let mega = String(repeating: "a", count: 1 << 20)
        let cases: [(AdFixture, VMGAHPError.Code)] = [
            (kvm.setting("User", "\"\(mega)\""), .critical),
            (kvm.setting("JobVMType", "\"\(mega)\""), .noJobClassAdInfo),
            (kvm.setting("VM_WORKING_DIR", "\"/\(mega)\""), .noJobClassAdInfo),
            (kvm.setting("VMPARAM_vm_Disk", "\"\(mega):vda:w\""), .kvmInvalidDiskParam),
            (kvm.setting("JobVMNetworkingType", "\"\(mega)\""), .mismatchedNetworkingType),
            (kvm.setting("JobVM_MACADDR", "\"\(mega)\""), .mismatchedNetworking),
            (kvm.setting("TransferInput", "\"\(mega)\""), .kvmInvalidDiskParam),
            (kvm.setting("JobVMMemory", mega.replacingOccurrences(of: "a", with: "9")), .noVMMemoryParam),
            (xen.setting("VMPARAM_Xen_Kernel", "\"\(mega)\""), .xenKernelNotFound),
            (xen.setting("VMPARAM_Xen_Initrd", "\"\(mega)\""), .xenInitrdNotFound),
            (xen.setting("VMPARAM_Xen_Root", "\"\(mega)\""), .xenNoRootDeviceParam),
            (xen.setting("VMPARAM_Xen_Kernel_Params", "\"\(mega)\""), .xenInvalidGuestKernel),
            (vmware.setting("VMPARAM_VMware_VMX_File", "\"\(mega)\""), .vmwareNoVMXParam),
            (vmware.setting("VMPARAM_VMware_VMDK_Files", "\"\(mega)\""), .badImage),
        ]
        for (index, (fixture, code)) in cases.enumerated() {
            let error = fixture.refusal(policy: policy)
            #expect(error?.code == code || (index == 7 && error?.code == .tooMuchMemoryRequest), "case \(index)")
            // Messages stay short enough for a log line.
            #expect((error?.message.utf8.count ?? 0) < 1024, "case \(index)")
        }
    }

    @Test func absurdNumbersAreRefused() {
        for value in ["-1", "0", "1e400", "-1e400", "9223372036854775808", "real(\"NaN\")", "1/0", "undefined + 1", "\"1\"", "{1,2}", "[a = 1]"] {
            let error = kvm.setting("JobVMMemory", value).refusal(policy: policy)
            #expect(error?.code == .noVMMemoryParam || error?.code == .tooMuchMemoryRequest, "\(value)")
                    }
        // ClassAd clamps an overflowing integer literal to Int.max, a harmless (if absurd) id.
        for value in ["-1", "1e400", "real(\"NaN\")", "1/0", "undefined + 1", "\"1\"", "{1,2}", "[a = 1]", "1.5"] {
            #expect(kvm.setting("ClusterId", value).refusal(policy: policy)?.code == .critical, "\(value)")
        }
        #expect(kvm.setting("ProcId", "-3").refusal(policy: policy)?.code == .critical)
    }

    @Test func adLinesWithControlCharactersAreLeftOut() throws {
        var fixture = kvm
        fixture.lines.append("Evil = \"a\u{1b}[2Jb\"")
        let job = try fixture.describe(policy: policy)
        #expect(job.adLines == kvm.lines)
        #expect(job.adLines.allSatisfy(TextRules.isClean))
    }
}
