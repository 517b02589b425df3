import HTCondorConfig
import Logging

/// Connects swift-log to VM_GAHP_LOG (or stderr with `-t`).
/// TEMPORARY stand-in until GAHPLogging lands: logs to stderr only with -t.
struct LogSetup: Sendable {
    static func start(config: HTCondorConfig, toStderr: Bool) -> LogSetup {
        LoggingSystem.bootstrap { label in
            toStderr ? StreamLogHandler.standardError(label: label) : SwiftLogNoOpLogHandler()
        }
        return LogSetup()
    }

    func reconfigure(config: HTCondorConfig) {}
}
