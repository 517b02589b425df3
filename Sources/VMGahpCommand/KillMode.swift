import Logging
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// Mode 4: destroy the VM a dead starter or gahp left behind. It prints nothing. It waits
/// out a hung or restarting hypervisor for up to `VM_GAHP_KILL_TIMEOUT` and exits 0 only
/// once the VM is confirmed gone (a VM that never existed counts), 1 otherwise, so the
/// starter's "killVM failed" means a VM may really be left. **DIFF**: HTCondor's tries once
/// and exits 0 whatever happened.
enum KillMode {
    static func run(registry: DriverRegistry, vmType: String, name: String, environment: [String: String], logToStderr: Bool) async -> Never {
        guard let entry = registry.entry(for: vmType) else { fail("Not supported VM TYPE '\(vmType)'") }
        // Kill mode must work on a half-configured host: VM_MEMORY is not required here.
        let settings: HostSettings
        do { settings = try HostSettings.load(environment: environment, requireMemory: false) } catch { fail(error.description) }
        _ = LogSetup.start(config: settings.config, toStderr: logToStderr, environment: environment)
        let logger = Logger(label: "vmgahp")
        logger.info("VM-GAHP initialized with run-mode 4, destroying \(vmType) VM '\(name)'")
        let driver: any VMDriver
        do {
            driver = try entry.make(settings.driverContext(vmType: vmType, workingDirectory: nil, logger: logger))
        } catch {
            logger.error("cannot create the \(vmType) driver: \(error); VM '\(name)' may still exist")
            exit(1)
        }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            try await driver.destroy(name: name, until: started + settings.killTimeout)
        } catch {
            logger.error("VM '\(name)' not confirmed gone within \(settings.killTimeout) (VM_GAHP_KILL_TIMEOUT): \(error)")
            exit(1)
        }
        logger.info("VM '\(name)' is gone (\(clock.now - started))")
        exit(0)
    }
}
