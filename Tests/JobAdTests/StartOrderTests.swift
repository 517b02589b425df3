import ClassAd
import Testing
import VMCore
@testable import JobAd

/// START's first checks, in HTCondor's order (§3.2).
@Suite struct StartOrderTests {
    @Test func anEmptyAdMeansNoAdWasReceived() {
        let error = #expect(throws: VMGAHPError.self) {
            try JobAdReader.describe(ClassAd(), adLines: [], requestedType: "kvm", gahpType: "kvm", policy: .testHost)
        }
        #expect(error?.code == .noJobClassAdInfo)
    }

    @Test func workingDirectoryAndTypeAreRequired() throws {
        let space = try Workspace()
        try space.file("disk.qcow2")
        let base = try AdFixture(corpus: "kvm-basic", in: space)
        #expect(base.setting("VM_WORKING_DIR", nil).refusal()?.code == .noJobClassAdInfo)
        #expect(base.setting("VM_WORKING_DIR", "42").refusal()?.code == .noJobClassAdInfo)
        #expect(base.setting("VM_WORKING_DIR", "\"\(space.workingDirectory)/missing\"").refusal()?.code == .noJobClassAdInfo)
        #expect(base.setting("VM_WORKING_DIR", "\"relative/dir\"").refusal()?.code == .noJobClassAdInfo)
        #expect(base.setting("JobVMType", nil).refusal(requestedType: "kvm", gahpType: "kvm")?.code == .noJobClassAdInfo)
        // The working directory is checked before the type.
        #expect(base.setting("VM_WORKING_DIR", nil).setting("JobVMType", nil).refusal(requestedType: "kvm", gahpType: "kvm")?.code == .noJobClassAdInfo)
    }

    @Test func requestedJobAndGahpTypesMustAgree() throws {
        let space = try Workspace()
        try space.file("disk.qcow2")
        let base = try AdFixture(corpus: "kvm-basic", in: space)
        #expect(base.refusal(requestedType: "xen", gahpType: "kvm")?.code == .noSupportedVMType)
        #expect(base.refusal(requestedType: "kvm", gahpType: "xen")?.code == .noSupportedVMType)
        #expect(base.setting("JobVMType", "\"KVM\"").refusal(requestedType: "Kvm", gahpType: "kvm") == nil)
        #expect(base.setting("JobVMType", "\"qemu\"").refusal(requestedType: "qemu", gahpType: "qemu")?.code == .noSupportedVMType)
        let huge = "\"" + String(repeating: "k", count: 1 << 20) + "\""
        #expect(base.setting("JobVMType", huge).refusal(requestedType: "kvm", gahpType: "kvm")?.code == .noJobClassAdInfo)
    }
}
