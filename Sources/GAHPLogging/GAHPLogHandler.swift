import Logging

/// The swift-log handler that writes to a `LogSink`.
///
/// Its level follows the sink (so a SIGHUP that changes `VM_GAHP_DEBUG` reaches loggers made
/// before it) until someone sets a logger's `logLevel` explicitly, which then sticks for that
/// logger, as swift-log's value semantics require.
public struct GAHPLogHandler: LogHandler {
    public let sink: LogSink
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private var explicitLevel: Logger.Level?

    public init(sink: LogSink, metadataProvider: Logger.MetadataProvider? = nil) {
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public var logLevel: Logger.Level {
        get { explicitLevel ?? sink.level }
        set { explicitLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        sink.write(message: event.message.description, metadata: merged, error: event.error)
    }
}
