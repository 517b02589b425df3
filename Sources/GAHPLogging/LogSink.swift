#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging
import Synchronization

/// The one place log lines go, shared by every handler the logging system makes.
///
/// swift-log can be bootstrapped only once per process, so reconfiguration (SIGHUP: new path,
/// size, flags) changes the sink, not the handlers. The level is kept in an atomic so a
/// disabled level costs handlers one load; everything else sits behind one lock, which also
/// keeps lines from concurrent tasks whole. No thread or timer: work happens only in `write`.
public final class LogSink: Sendable {
    private struct State: ~Copyable {
        var settings: LogSettings
        var file: LogFile?
    }

    private let state: Mutex<State>
    private let levelIndex: Atomic<Int>

    public init(settings: LogSettings) {
        state = Mutex(State(settings: settings, file: Self.file(for: settings)))
        levelIndex = Atomic(Self.index(of: settings.level))
    }

    public var settings: LogSettings {
        state.withLock { $0.settings }
    }

    /// The least severe level written; handlers report it as their `logLevel`.
    public var level: Logger.Level {
        Logger.Level.allCases[levelIndex.load(ordering: .relaxed)]
    }

    /// Applies new settings; the file (even the same path) is reopened on the next write, so a
    /// log moved away by an administrator is recreated.
    public func reconfigure(_ settings: LogSettings) {
        state.withLock { state in
            state.settings = settings
            state.file = Self.file(for: settings)
        }
        levelIndex.store(Self.index(of: settings.level), ordering: .relaxed)
    }

    /// Formats and writes one entry. Never throws and never blocks on anything but the lock
    /// and the write itself.
    public func write(message: String, metadata: Logger.Metadata, error: (any Error)? = nil) {
        let timestamp = LogTimestamp.now()
        state.withLock { state in
            let line = LogLine.render(
                timestamp: timestamp, pid: state.settings.showPID ? getpid() : nil,
                message: message, metadata: metadata, error: error)
            let bytes = Array(line.utf8)
            let maxBytes = state.settings.maxBytes
            if state.file != nil {
                state.file!.append(bytes, maxBytes: maxBytes)
            } else {
                _ = LogFile.writeAll(STDERR_FILENO, bytes)
            }
        }
    }

    private static func file(for settings: LogSettings) -> LogFile? {
        switch settings.destination {
        case .file(let path): LogFile(path: path, owner: settings.owner)
        case .standardError: nil
        }
    }

    private static func index(of level: Logger.Level) -> Int {
        Logger.Level.allCases.firstIndex(of: level) ?? 0
    }
}
