import Logging
import Synchronization

/// Process-wide set-up of VM_GAHP_LOG.
public enum GAHPLog {
    private static let bootstrapped = Atomic<Bool>(false)

    /// Makes `sink` the destination of every `Logger` in the process.
    ///
    /// swift-log traps on a second bootstrap; this returns false instead, so a caller that
    /// reconfigures on SIGHUP can call `sink.reconfigure` and never has to track whether it
    /// bootstrapped already.
    @discardableResult
    public static func bootstrap(sink: LogSink, metadataProvider: Logger.MetadataProvider? = nil) -> Bool {
        guard bootstrapped.compareExchange(expected: false, desired: true, ordering: .relaxed).exchanged else {
            return false
        }
        LoggingSystem.bootstrap({ _, provider in
            GAHPLogHandler(sink: sink, metadataProvider: provider)
        }, metadataProvider: metadataProvider)
        return true
    }
}
