import Testing
import VMCore
@testable import JobAd

@Suite struct NetworkingTests {
    let space: Workspace
    let base: AdFixture

    init() throws {
        space = try Workspace()
        try space.file("disk.img")
        base = try AdFixture(corpus: "kvm-nat-2cpu", in: space)
    }

    @Test func networkingMustBeEnabled() {
        #expect(base.refusal(policy: HostPolicy.testHost.with { $0.networkingEnabled = false })?.code == .mismatchedNetworking)
        #expect(base.refusal(policy: HostPolicy.testHost.with { $0.networkingTypes = [] })?.code == .mismatchedNetworking)
        #expect(base.setting("JobVMNetworking", "\"yes\"").refusal()?.code == .mismatchedNetworking)
    }

    @Test func noNetworkingIgnoresTypeAndMAC() throws {
        let off = base.setting("JobVMNetworking", "false").setting("JobVM_MACADDR", "\"junk\"").setting("JobVMNetworkingType", "\"junk\"")
        #expect(try off.describe(policy: HostPolicy.testHost.with { $0.networkingEnabled = false }).networking == nil)
    }

    @Test func typeIsTrimmedLowerCasedAndMustBeOffered() throws {
        #expect(try base.setting("JobVMNetworkingType", "\"  NAT \"").describe().networking?.kind == .nat)
        #expect(base.setting("JobVMNetworkingType", "\"natural\"").refusal()?.code == .mismatchedNetworkingType)
        #expect(base.setting("JobVMNetworkingType", "\"user\"").refusal()?.code == .mismatchedNetworkingType)
        let withUser = HostPolicy.testHost.with { $0.networkingTypes = [.nat, .user] }
        #expect(try base.setting("JobVMNetworkingType", "\"user\"").describe(policy: withUser).networking?.kind == .user)
        #expect(base.setting("JobVMNetworkingType", "42").refusal()?.code == .mismatchedNetworkingType)
    }

    @Test func bridgeNeedsAValidInterface() throws {
        let bridge = base.setting("JobVMNetworkingType", "\"bridge\"")
        let networking = try bridge.describe().networking
        #expect(networking == .init(kind: .bridge, mac: "52:54:00:12:34:56", bridgeInterface: "br0"))
        #expect(bridge.refusal(policy: HostPolicy.testHost.with { $0.bridgeInterface = nil })?.code == .mismatchedNetworkingType)
        for hostile in ["br0'/><evil", "br 0", "", "averyveryverylongbridge"] {
            #expect(bridge.refusal(policy: HostPolicy.testHost.with { $0.bridgeInterface = hostile })?.code == .mismatchedNetworkingType)
        }
    }

    @Test func absentTypeUsesTheDefaultThenNatThenTheFirstOffered() throws {
        let untyped = base.setting("JobVMNetworkingType", nil)
        #expect(try untyped.describe(policy: HostPolicy.testHost.with { $0.defaultNetworkingType = .bridge }).networking?.kind == .bridge)
        #expect(try untyped.describe(policy: HostPolicy.testHost.with { $0.defaultNetworkingType = .user }).networking?.kind == .nat)
        #expect(try untyped.describe(policy: HostPolicy.testHost.with { $0.defaultNetworkingType = nil; $0.networkingTypes = [.bridge] }).networking?.kind == .bridge)
    }

    @Test func macIsValidatedAndNormalised() throws {
        #expect(try base.setting("JobVM_MACADDR", "\" 52:54:00:AB:CD:EF \"").describe().networking?.mac == "52:54:00:ab:cd:ef")
        #expect(try base.setting("JobVM_MACADDR", nil).describe().networking?.mac == nil)
        for hostile in ["\"01:00:5e:00:00:01\"", "\"52:54:00:12:34\"", "\"52:54:00:12:34:56'/><x a='\"", "\"zz:54:00:12:34:56\"", "525400123456", "\"" + String(repeating: "5", count: 1 << 20) + "\""] {
            #expect(base.setting("JobVM_MACADDR", hostile).refusal()?.code == .mismatchedNetworking)
        }
    }
}
