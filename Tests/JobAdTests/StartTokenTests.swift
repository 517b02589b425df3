import Testing
import VMCore

/// The one classification of START failures (spec §6.2), for every token, fault and type.
@Suite struct StartTokenTests {
    @Test(arguments: ["kvm", "xen", "vmware"])
    func jobFaultsHoldAndHostFaultsNever(vmType: String) {
        for code in VMGAHPError.Code.allCases {
            #expect(VMGAHPError.job(code, "").startToken(vmType: vmType).putsJobOnHold, "\(code) as a job fault")
            #expect(!VMGAHPError.host(code, "").startToken(vmType: vmType).putsJobOnHold, "\(code) as a host fault")
        }
    }

    @Test func holdTokensAndHostTokensAreKept() {
        for code in VMGAHPError.Code.holdTokens {
            #expect(VMGAHPError.job(code, "").startToken(vmType: "kvm") == code)
        }
        #expect(VMGAHPError.host(.critical, "").startToken(vmType: "kvm") == .critical)
        #expect(VMGAHPError.job(.vmwareNoVMXParam, "").startToken(vmType: "vmware") == .badImage)
    }
}
