import HTCondorConfig
import Testing
import VMCore

@Suite struct HostPolicyTests {
    @Test func fullPolicy() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            VM_MEMORY = 2 * 1024
            VM_NETWORKING = True
            VM_NETWORKING_TYPE = "NAT", bridge user
            VM_NETWORKING_DEFAULT_TYPE = "Bridge"
            VM_NETWORKING_BRIDGE_INTERFACE = br0
            VM_HARDWARE_VT = yes
            XEN_BOOTLOADER = /usr/bin/pygrub
            XEN_ALLOW_HARDWARE_VT_SUSPEND = true
            VM_GAHP_DISK_ROOTS = /srv/images/, /mnt//shared
            """)
        let (policy, warnings) = try config.hostPolicy(hostCPUs: 8)
        #expect(warnings.isEmpty)
        #expect(policy == HostPolicy(
            maxMemoryMiB: 2048, networkingEnabled: true, networkingTypes: [.nat, .bridge, .user],
            defaultNetworkingType: .bridge, bridgeInterface: "br0", hardwareVT: true,
            xenBootloader: "/usr/bin/pygrub", xenAllowHardwareVTSuspend: true,
            allowedDiskRoots: ["/srv/images", "/mnt/shared"], hostCPUs: 8))
    }

    @Test func minimalPolicyUsesDefaults() throws {
        let config = try HTCondorConfig.load(environment: ["CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "512"])
        let (policy, warnings) = try config.hostPolicy(hostCPUs: 0)
        #expect(warnings.isEmpty)
        #expect(policy == HostPolicy(maxMemoryMiB: 512, hostCPUs: 1))
    }

    @Test func missingMemoryIsTheHTCondorError() throws {
        let config = try HTCondorConfig.load(environment: ["CONDOR_CONFIG": "ONLY_ENV"])
        #expect(throws: ConfigError(message: "'VM_MEMORY' is not defined in configuration")) {
            try config.hostPolicy(hostCPUs: 1)
        }
    }

    @Test(arguments: ["0", "-5", "lots", "1.5"])
    func unusableMemoryNamesItsDefinition(value: String) throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "A = 1\nVM_MEMORY = \(value)\n")
        let error = try #require(throws: ConfigError.self) { try config.hostPolicy(hostCPUs: 1) }
        #expect(error.file == fixture.mainFile)
        #expect(error.line == 2)
        #expect(error.message.contains("VM_MEMORY"))
    }

    @Test func unknownNetworkingTypesAreDroppedWithAWarning() throws {
        let config = try HTCondorConfig.load(environment: [
            "CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "512", "_CONDOR_VM_NETWORKING": "true",
            "_CONDOR_VM_NETWORKING_TYPE": "nat, vde, nat", "_CONDOR_VM_NETWORKING_DEFAULT_TYPE": "host-only",
        ])
        let (policy, warnings) = try config.hostPolicy(hostCPUs: 2)
        #expect(policy.networkingEnabled)
        #expect(policy.networkingTypes == [.nat])
        #expect(policy.defaultNetworkingType == nil)
        #expect(warnings.count == 2)
        #expect(warnings.contains { $0.contains("'vde'") })
        #expect(warnings.contains { $0.contains("'host-only'") })
    }

    @Test func networkingWithoutTypesIsDisabled() throws {
        let config = try HTCondorConfig.load(environment: [
            "CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "512", "_CONDOR_VM_NETWORKING": "true",
            "_CONDOR_VM_NETWORKING_TYPE": "bogus",
        ])
        let (policy, warnings) = try config.hostPolicy(hostCPUs: 2)
        #expect(!policy.networkingEnabled)
        #expect(warnings.contains { $0.contains("networking disabled") })
    }

    @Test(arguments: ["br0/../x", "a name", "averyveryverylongname", "<br>"])
    func badBridgeInterfaceIsAnError(name: String) throws {
        let config = try HTCondorConfig.load(environment: [
            "CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "512", "_CONDOR_VM_NETWORKING_BRIDGE_INTERFACE": name,
        ])
        let error = try #require(throws: ConfigError.self) { try config.hostPolicy(hostCPUs: 1) }
        #expect(error.message.contains("VM_NETWORKING_BRIDGE_INTERFACE"))
    }

    @Test(arguments: ["relative/dir", "/srv/../etc", "/srv/./x"])
    func badDiskRootsAreErrors(root: String) throws {
        let config = try HTCondorConfig.load(environment: [
            "CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "512", "_CONDOR_VM_GAHP_DISK_ROOTS": "/ok, \(root)",
        ])
        let error = try #require(throws: ConfigError.self) { try config.hostPolicy(hostCPUs: 1) }
        #expect(error.message.contains("VM_GAHP_DISK_ROOTS"))
        #expect(error.message.contains(root))
    }
}
