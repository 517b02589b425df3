import Testing
import VMCore
@testable import JobAd

@Suite struct ResourceTests {
    let space: Workspace
    let base: AdFixture

    init() throws {
        space = try Workspace()
        try space.file("disk.qcow2")
        base = try AdFixture(corpus: "kvm-basic", in: space)
    }

    @Test func memoryFallsBackToRequestMemory() throws {
        let noVMMemory = base.setting("JobVMMemory", nil).setting("RequestMemory", "300")
        #expect(try noVMMemory.describe().memoryMiB == 300)
        #expect(base.setting("JobVMMemory", nil).setting("RequestMemory", nil).refusal()?.code == .noVMMemoryParam)
    }

    @Test func memoryOutOfRangeIsTooMuch() throws {
        for value in ["0", "-5", "4097", "9223372036854775807", "-9223372036854775807"] {
            #expect(base.setting("JobVMMemory", value).refusal()?.code == .tooMuchMemoryRequest, "\(value)")
        }
        #expect(try base.setting("JobVMMemory", "4096").describe().memoryMiB == 4096)
        #expect(try base.setting("JobVMMemory", "16").describe().memoryMiB == 32)
    }

    @Test func memoryOfTheWrongTypeIsRefused() throws {
        for value in ["512.5", "\"512\"", "true", "99999999999999999999999999", "1e300"] {
            let error = base.setting("JobVMMemory", value).refusal()
            #expect(error?.code == .noVMMemoryParam || error?.code == .tooMuchMemoryRequest, "\(value)")
        }
        // A wrong type is not skipped in favour of the fallback.
        #expect(base.setting("JobVMMemory", "512.5").setting("RequestMemory", "512").refusal() != nil)
    }

    @Test func vcpusFallBackAndAreBounded() throws {
        #expect(try base.setting("JobVM_VCPUS", nil).setting("RequestCpus", nil).describe().vcpus == 1)
        #expect(try base.setting("JobVM_VCPUS", nil).setting("RequestCpus", "3").describe().vcpus == 3)
        #expect(try base.setting("JobVM_VCPUS", "4").describe().vcpus == 4)
        for value in ["5", "0", "-1", "2.5", "\"two\"", "9223372036854775807"] {
            let error = base.setting("JobVM_VCPUS", value).refusal()
            #expect(error?.code == .mismatchedHardwareVT, "\(value)")
            #expect(error?.fault == .job)
            #expect(error?.message.contains("vCPU") == true || error?.message.contains("JobVM_VCPUS") == true)
        }
    }

    @Test func hardwareVTMustBeOffered() throws {
        let wantsVT = base.setting("JobVMHardwareVT", "true")
        #expect(try wantsVT.describe().hardwareVT)
        #expect(wantsVT.refusal(policy: HostPolicy.testHost.with { $0.hardwareVT = false })?.code == .mismatchedHardwareVT)
        #expect(base.setting("JobVMHardwareVT", "\"yes\"").refusal()?.code == .mismatchedHardwareVT)
    }

    @Test func flagsAcceptBooleansAndIntegers() throws {
        #expect(try base.setting("JobVMVNCConsole", "1").describe().vncConsole)
        #expect(try base.setting("VMPARAM_No_Output_VM", "TRUE").describe().noOutputVM)
        #expect(base.setting("JobVMVNCConsole", "\"true\"").refusal()?.code == .mismatchedHardwareVT)
        #expect(base.setting("JobVMCheckpoint", "2.0").refusal()?.code == .kvmMismatchedCheckpoint)
    }

    @Test func transferListsAreSplitOnCommas() throws {
        let job = try base.setting("TransferInput", "\" a.img , b.img,,c.iso \"").setting("TransferIntermediate", "\"xen.mem.ckpt\"").describe()
        #expect(job.transferInput == ["a.img", "b.img", "c.iso"])
        #expect(job.transferIntermediate == ["xen.mem.ckpt"])
        let huge = "\"" + String(repeating: "a,", count: 1 << 19) + "\""
        #expect(base.setting("TransferInput", huge).refusal()?.code == .kvmInvalidDiskParam)
    }
}
