import GAHPLogging
import HTCondorConfig

/// Connects swift-log to `VM_GAHP_LOG` (or stderr with `-t`) and keeps the sink so that
/// SIGHUP can apply a new path, size or verbosity.
struct LogSetup: Sendable {
    let sink: LogSink
    let toStderr: Bool

    static func start(config: HTCondorConfig, toStderr: Bool) -> LogSetup {
        let setup = LogSetup(sink: LogSink(settings: settings(config: config, toStderr: toStderr)), toStderr: toStderr)
        GAHPLog.bootstrap(sink: setup.sink)
        return setup
    }

    func reconfigure(config: HTCondorConfig) {
        sink.reconfigure(Self.settings(config: config, toStderr: toStderr))
    }

    /// HTCondor's rules: `-t` wins; otherwise `VM_GAHP_LOG` (which has a default); a log
    /// explicitly set empty goes to stderr, which the starter then captures.
    private static func settings(config: HTCondorConfig, toStderr: Bool) -> LogSettings {
        let flags = DebugFlags(
            subsystem: config.value("VM_GAHP_DEBUG"), all: config.value("ALL_DEBUG"), fallback: config.value("DEFAULT_DEBUG"))
        let destination: LogSettings.Destination =
            toStderr ? .standardError : config.value("VM_GAHP_LOG").map { .file($0) } ?? .standardError
        return LogSettings(
            destination: destination, maxBytes: config.byteCount("MAX_VM_GAHP_LOG", default: LogSettings.defaultMaxBytes),
            debugFlags: flags)
    }
}
