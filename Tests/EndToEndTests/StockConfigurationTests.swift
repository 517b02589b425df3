import Foundation
import GAHPWire
import Testing
import TestSupport

/// The built `condor_vm-gahp` probing a host configured the way HTCondor's packages install
/// it (issue 12): the shipped `condor_config.generic`, the shipped `config.d/00-security` with
/// its `if version >= 23.10.0` / `use security:recommended` block, and an admin's `50-vm.conf`.
/// The shipped files are read where they are, in ../shared/htcondor/config-examples.
@Suite struct StockConfigurationTests {
    static let examples = TestPaths.shared.appendingPathComponent("htcondor/config-examples")

    /// The packages' `condor_config`: the generic file plus the settings both packages patch
    /// in (`LOCAL_DIR`, an optional local file), `LOCAL_CONFIG_DIR` = `$(LOCAL_DIR)/config`.
    private func stockHost(vmConf: String) throws -> (TemporaryDirectory, String)? {
        let generic = Self.examples.appendingPathComponent("condor_config.generic").path
        let security = Self.examples.appendingPathComponent("00-security").path
        guard FileManager.default.fileExists(atPath: generic), FileManager.default.fileExists(atPath: security) else {
            print("StockConfigurationTests skipped: HTCondor's shipped configuration is not in \(Self.examples.path)")
            return nil
        }
        let host = try TemporaryDirectory(prefix: "stock-config")
        let main = try host.write("condor_config", """
            include : \(generic)
            LOCAL_DIR = \(host.path)
            REQUIRE_LOCAL_CONFIG_FILE = false
            """)
        try FileManager.default.createDirectory(at: host.url.appendingPathComponent("config"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: host.url.appendingPathComponent("config/00-security").path, withDestinationPath: security)
        try host.write("config/50-vm.conf", vmConf + "VM_LIBVIRT_URI = test:///default\nVM_GAHP_LOG = \(host.path)/VMGahpLog\n")
        return (host, main)
    }

    private func probe(config: String, environment extra: [String: String] = [:]) async throws -> (Int32?, [String], String) {
        var environment = ["CONDOR_CONFIG": config, "PATH": "/usr/bin:/bin", "VMGAHP_USER_UID": "65534"]
        environment.merge(extra) { $1 }
        let gahp = try GahpProcess(
            executable: TestPaths.product("condor_vm-gahp"), arguments: ["-f", "-M", "0", "vmtype", "kvm"], environment: environment)
        let status = await gahp.exitStatus()
        var lines: [String] = []
        while let line = await gahp.next(timeout: .seconds(5)) { lines.append(line) }
        return (status, lines, gahp.standardError)
    }

    @Test func aStockInstallWithTheAdminsVMFileProbes() async throws {
        guard let (host, main) = try stockHost(vmConf: "VM_TYPE = kvm\nVM_MEMORY = 1024\nVM_NETWORKING = false\n") else { return }
        let (status, lines, errors) = try await probe(config: main)
        #expect(status == 0, "\(errors)")
        #expect(lines == [
            "VM_GAHP_VERSION = \"\(GAHPVersion.number)\"", "VM_Type = \"kvm\"", "VM_Memory = 1024", "VM_Networking = FALSE",
        ])
        _ = host
    }

    @Test func theVersionKnobPicksTheBranchesOfTheStockFiles() async throws {
        let vmConf = """
            VM_TYPE = kvm
            VM_NETWORKING = false
            if version >= 23.10.0
              VM_MEMORY = 1024
            else
              VM_MEMORY = 512
            endif

            """
        guard let (host, main) = try stockHost(vmConf: vmConf) else { return }
        let (status, lines, errors) = try await probe(config: main, environment: ["_CONDOR_VM_GAHP_HTCONDOR_VERSION": "23.9.6"])
        #expect(status == 0, "\(errors)")
        #expect(lines.contains("VM_Memory = 512"), "\(lines)")
        let log = (try? String(contentsOfFile: host.path + "/VMGahpLog", encoding: .utf8)) ?? ""
        #expect(log.contains("23.9.6"), "the log names the version `if version` compared against")
    }
}
