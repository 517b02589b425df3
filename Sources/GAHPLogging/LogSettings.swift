import Logging
import VMCore

/// Where and how much the gahp logs; everything a SIGHUP may change.
public struct LogSettings: Sendable, Equatable {
    public enum Destination: Sendable, Equatable {
        /// `VM_GAHP_LOG`
        case file(String)
        /// `-t`: the caller captures stderr (never stdout: that carries the protocol).
        case standardError
    }

    public var destination: Destination
    /// `MAX_VM_GAHP_LOG`: a file that would grow past this is moved to `<file>.old` first.
    /// Zero or less: never rotate.
    public var maxBytes: Int
    public var level: Logger.Level
    public var showPID: Bool
    /// Who the log file must belong to: HTCondor's condor user, so HTCondor's own gahp (which
    /// writes the log as that user, and exits when it cannot) can take over the host.
    public var owner: FileOwner?

    /// HTCondor's `MAX_DEFAULT_LOG`.
    public static let defaultMaxBytes = 10 * 1024 * 1024

    public init(
        destination: Destination, maxBytes: Int = defaultMaxBytes, level: Logger.Level = .info, showPID: Bool = false,
        owner: FileOwner? = nil
    ) {
        self.destination = destination
        self.maxBytes = maxBytes
        self.level = level
        self.showPID = showPID
        self.owner = owner
    }

    public init(destination: Destination, maxBytes: Int = defaultMaxBytes, debugFlags: DebugFlags, owner: FileOwner? = nil) {
        self.init(destination: destination, maxBytes: maxBytes, level: debugFlags.level, showPID: debugFlags.showPID, owner: owner)
    }
}
