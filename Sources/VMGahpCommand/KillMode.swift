import Logging
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// Mode 4: destroy the VM a dead starter left behind. It prints nothing and exits 0 even
/// when the VM could not be found, as HTCondor's does; what happened goes to the log.
enum KillMode {
    static func run(registry: DriverRegistry, vmType: String, name: String, environment: [String: String], logToStderr: Bool) async -> Never {
        guard let entry = registry.entry(for: vmType) else { fail("Not supported VM TYPE '\(vmType)'") }
        // Kill mode must work on a half-configured host: VM_MEMORY is not required here.
        let settings: HostSettings
        do { settings = try HostSettings.load(environment: environment, requireMemory: false) } catch { fail(error.description) }
        _ = LogSetup.start(config: settings.config, toStderr: logToStderr)
        let logger = Logger(label: "vmgahp")
        logger.info("VM-GAHP initialized with run-mode 4, destroying \(vmType) VM '\(name)'")
        do {
            let driver = try entry.make(settings.driverContext(vmType: vmType, workingDirectory: nil, logger: logger))
            switch await withDeadline(settings.requestTimeout, { try await driver.destroy(name: name) }) {
            case .timedOut: logger.error("Destroying '\(name)' did not finish within \(settings.requestTimeout)")
            case .finished(.failure(let error)): logger.error("Destroying '\(name)' failed: \(error)")
            case .finished(.success): logger.info("VM '\(name)' is gone")
            }
        } catch {
            logger.error("cannot create the \(vmType) driver: \(error)")
        }
        exit(0)
    }
}
