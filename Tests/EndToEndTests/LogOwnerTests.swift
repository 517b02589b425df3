import Foundation
import TestSupport
import Testing

/// A gahp running as root writes `VM_GAHP_LOG` as HTCondor's condor user (`CONDOR_IDS`), so an
/// admin can switch to HTCondor's own gahp, which exits 4 on a log it cannot write.
@Suite struct LogOwnerTests {
    @Test func theLogIsCreatedAsCondorIDs() async throws {
        guard geteuid() == 0 else { print("SKIP: not root, the gahp changes no owner"); return }
        let work = try TemporaryDirectory(prefix: "log-owner")
        let log = work.url.appendingPathComponent("VMGahpLog").path
        let gahp = try GahpProcess(
            executable: TestPaths.product("vm-gahp-fake"), arguments: ["-f", "-M", "3"],
            environment: [
                "CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "1024", "_CONDOR_VM_GAHP_LOG": log,
                "CONDOR_IDS": "65534.65533", "VMGAHP_VMTYPE": "kvm", "VMGAHP_WORKING_DIR": work.path,
            ])
        #expect(await gahp.next() != nil)
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: log)
        #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == 65534)
        #expect((attributes[.groupOwnerAccountID] as? NSNumber)?.intValue == 65533)
    }
}
