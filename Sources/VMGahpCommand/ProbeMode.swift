import GAHPWire
import Logging
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// Mode 0: the startd's probe. Prints the machine attributes the startd publishes, or
/// nothing (exit 1) when this host cannot run the type, which disables the VM universe.
enum ProbeMode {
    /// The startd gives the probe 5 seconds; answer (or fail) before it gives up.
    static let deadline: Duration = .seconds(4)

    static func run(registry: DriverRegistry, vmType: String, environment: [String: String], logToStderr: Bool) async -> Never {
        guard let entry = registry.entry(for: vmType), entry.isUsable(vmType) else {
            fail("Not supported VM TYPE '\(vmType)'")
        }
        let settings: HostSettings
        do { settings = try HostSettings.load(environment: environment) } catch { fail(error.description) }
        _ = LogSetup.start(config: settings.config, toStderr: logToStderr, environment: environment)
        let logger = Logger(label: "vmgahp")
        logger.info("VM-GAHP initialized with run-mode 0, vm type \(vmType)")
        for note in settings.notes { logger.notice("\(note)") }
        let driver: any VMDriver
        do {
            driver = try entry.make(settings.driverContext(vmType: vmType, workingDirectory: nil, logger: logger))
        } catch {
            fail("cannot create the \(vmType) driver: \(error)")
        }
        let capabilities: HostCapabilities
        switch await withDeadline(deadline, { try await driver.probe() }) {
        case .timedOut: fail("the \(vmType) hypervisor did not answer within \(deadline)")
        case .finished(.failure(let error)): fail("the vm_type '\(vmType)' cannot be used: \(error)")
        case .finished(.success(let found)): capabilities = found
        }
        let lines = attributes(vmType: vmType, policy: settings.policy, capabilities: capabilities).map(\.line)
        writeAll(STDOUT_FILENO, lines.map { $0 + "\n" }.joined())
        exit(0)
    }

    /// HTCondor's attributes in HTCondor's order, with networking types pruned to those
    /// that work here (HTCondor lists the configured ones and fails at START instead).
    static func attributes(vmType: String, policy: HostPolicy, capabilities: HostCapabilities) -> [MachineAttribute] {
        let types = policy.networkingEnabled ? capabilities.networkingTypes : []
        var attributes: [MachineAttribute] = [
            MachineAttribute("VM_GAHP_VERSION", .string(GAHPVersion.number)),
            MachineAttribute("VM_Type", .string(vmType)),
            MachineAttribute("VM_Memory", .integer(policy.maxMemoryMiB)),
            MachineAttribute("VM_Networking", .boolean(!types.isEmpty)),
        ]
        if !types.isEmpty {
            attributes.append(MachineAttribute("VM_Networking_Types", .string(types.map(\.rawValue).joined(separator: ","))))
        }
        if policy.hardwareVT {
            attributes.append(MachineAttribute("VM_HardwareVT", .boolean(true)))
        }
        return attributes + capabilities.extraAttributes
    }
}
