import GAHPLogging
import HTCondorConfig
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// Connects swift-log to `VM_GAHP_LOG` (or stderr with `-t`) and keeps the sink so that
/// SIGHUP can apply a new path, size or verbosity.
struct LogSetup: Sendable {
    let sink: LogSink
    let toStderr: Bool
    let environment: [String: String]

    static func start(config: HTCondorConfig, toStderr: Bool, environment: [String: String]) -> LogSetup {
        let setup = LogSetup(
            sink: LogSink(settings: settings(config: config, toStderr: toStderr, environment: environment)), toStderr: toStderr,
            environment: environment)
        GAHPLog.bootstrap(sink: setup.sink)
        return setup
    }

    func reconfigure(config: HTCondorConfig) {
        sink.reconfigure(Self.settings(config: config, toStderr: toStderr, environment: environment))
    }

    /// HTCondor's rules: `-t` wins; otherwise `VM_GAHP_LOG` (which has a default); a log
    /// explicitly set empty goes to stderr, which the starter then captures.
    private static func settings(config: HTCondorConfig, toStderr: Bool, environment: [String: String]) -> LogSettings {
        let flags = DebugFlags(
            subsystem: config.value("VM_GAHP_DEBUG"), all: config.value("ALL_DEBUG"), fallback: config.value("DEFAULT_DEBUG"))
        let destination: LogSettings.Destination =
            toStderr ? .standardError : config.value("VM_GAHP_LOG").map { .file($0) } ?? .standardError
        return LogSettings(
            destination: destination, maxBytes: config.byteCount("MAX_VM_GAHP_LOG", default: LogSettings.defaultMaxBytes),
            debugFlags: flags, owner: condorIDs(config: config, environment: environment))
    }

    /// HTCondor's condor user, who owns its logs: `CONDOR_IDS` (`uid.gid`, from the environment,
    /// then the configuration), else the `condor` account. Only a gahp running as root hands the
    /// log over; HTCondor's own gahp, run as that user, exits 4 on a log it cannot write.
    static func condorIDs(config: HTCondorConfig, environment: [String: String]) -> FileOwner? {
        guard geteuid() == 0 else { return nil }
        if let ids = environment["CONDOR_IDS"] ?? config.value("CONDOR_IDS") {
            let parts = ids.split(separator: ".").map { UInt32($0.filter { !$0.isWhitespace }) }
            guard parts.count == 2, let uid = parts[0], let gid = parts[1] else { return nil }
            return FileOwner(uid: uid, gid: gid)
        }
        guard let entry = getpwnam("condor") else { return nil }
        return FileOwner(uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }
}
