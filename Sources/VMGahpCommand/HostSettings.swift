import HTCondorConfig
import Logging
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// The configuration-derived settings of one gahp process, re-read on SIGHUP.
struct HostSettings: Sendable {
    var config: HTCondorConfig
    var policy: HostPolicy
    var requestTimeout: Duration
    /// `VM_GAHP_TEARDOWN_TIMEOUT`: how long QUIT, end of input and SIGTERM keep trying to
    /// destroy the VMs. Default 45 s: the startd hard-kills a VM starter that has not exited
    /// `VM_KILLING_TIMEOUT` (60 s) after it was told to, and the starter still has to read
    /// QUIT's answer and run kill mode in that time.
    var teardownTimeout: Duration
    /// `VM_GAHP_KILL_TIMEOUT`: how long kill mode (`-M 4`) waits out a hung or restarting
    /// hypervisor for the domain to be gone. Default 60 s.
    var killTimeout: Duration
    /// Things worth a line in the log (`warning :` lines, templates used, the version `if
    /// version` compared against, networking types dropped...).
    var notes: [String]
    var environment: [String: String]

    /// Reads HTCondor's configuration the way the gahp needs it.
    /// - Parameter requireMemory: HTCondor refuses to start without `VM_MEMORY`; kill mode
    ///   does not need it and must work even on a half-configured host.
    static func load(environment: [String: String], requireMemory: Bool = true) throws(ConfigError) -> HostSettings {
        try derive(from: HTCondorConfig.load(environment: environment), environment: environment, requireMemory: requireMemory)
    }

    /// The settings `config`, already read, gives.
    static func derive(from config: HTCondorConfig, environment: [String: String], requireMemory: Bool = true) throws(ConfigError) -> HostSettings {
        let cpus = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        var notes = config.warnings
        if let version = config.conditionVersion {
            notes.append("'if version' conditions compared against HTCondor \(version) (\(HTCondorVersion.knob) sets it)")
        }
        if !config.metaknobs.isEmpty {
            notes.append("templates used: \(config.metaknobs.joined(separator: ", ")); none sets a knob the gahp reads")
        }
        let policy: HostPolicy
        do {
            let derived = try config.hostPolicy(hostCPUs: cpus)
            policy = derived.policy
            notes += derived.warnings
        } catch where !requireMemory {
            policy = HostPolicy(maxMemoryMiB: 0, hostCPUs: cpus)
            notes.append(error.description)
        }
        func seconds(_ name: String, default value: Int) -> Duration {
            let configured = config.integer(name, default: value)
            return .seconds(configured > 0 ? configured : value)
        }
        return HostSettings(
            config: config, policy: policy, requestTimeout: seconds("VM_GAHP_REQ_TIMEOUT", default: 300),
            teardownTimeout: seconds("VM_GAHP_TEARDOWN_TIMEOUT", default: 45), killTimeout: seconds("VM_GAHP_KILL_TIMEOUT", default: 60),
            notes: notes, environment: environment)
    }

    func driverContext(vmType: String, workingDirectory: String?, logger: Logger) -> DriverContext {
        let config = self.config
        return DriverContext(
            vmType: vmType, policy: policy, workingDirectory: workingDirectory,
            setting: { config.value($0) }, logger: logger, environment: environment, jobOwner: jobOwner,
            userSwitch: .ownExecutable)
    }

    /// `VMGAHP_USER_UID`/`VMGAHP_USER_GID` (a missing or zero gid means the uid's own, as in
    /// HTCondor), when the gahp runs as root and can hand files over.
    var jobOwner: FileOwner? {
        guard geteuid() == 0, let uid = environment["VMGAHP_USER_UID"].flatMap({ UInt32($0) }), uid > 0 else {
            return nil
        }
        let gid = environment["VMGAHP_USER_GID"].flatMap { UInt32($0) } ?? 0
        return FileOwner(uid: uid, gid: gid > 0 ? gid : uid)
    }
}
