import Logging

/// HTCondor's `<SUBSYS>_DEBUG` flags, reduced to what a swift-log backend can honour: a level
/// threshold and whether lines carry the pid.
///
/// `D_ALWAYS` (always on) is `.info` and above, `D_FULLDEBUG` (or its modern spelling
/// `D_ALWAYS:2`) adds `.debug`, `D_ALL` adds `.trace`; `D_PID` adds `(pid:N)`. Category flags the
/// gahp has no use for (`D_COMMAND`, `D_SECURITY`, …) and other verbosity suffixes are accepted
/// and ignored, so an HTCondor-wide `ALL_DEBUG` never breaks the gahp.
public struct DebugFlags: Sendable, Equatable {
    public var level: Logger.Level
    public var showPID: Bool

    public init(level: Logger.Level = .info, showPID: Bool = false) {
        self.level = level
        self.showPID = showPID
    }

    /// Parses one flag list: names separated by spaces, commas or `|`.
    public init(parsing text: String?) {
        self.init()
        for token in (text ?? "").split(whereSeparator: { $0.isWhitespace || $0 == "," || $0 == "|" }) {
            let parts = token.uppercased().split(separator: ":", maxSplits: 1)
            guard let name = parts.first else { continue }
            let verbosity = parts.count > 1 ? Int(parts[1]) ?? 1 : 1
            switch name {
            case "D_ALL", "D_ANY": lower(to: .trace)
            case "D_FULLDEBUG": lower(to: .debug)
            case "D_ALWAYS" where verbosity >= 2: lower(to: .debug)
            case "D_PID": showPID = true
            default: break
            }
        }
    }

    /// HTCondor's rule for a daemon: its own `<SUBSYS>_DEBUG`, else `DEFAULT_DEBUG`; `ALL_DEBUG`
    /// is added on top of either.
    public init(subsystem: String?, all: String?, fallback: String?) {
        let own = DebugFlags(parsing: subsystem ?? fallback)
        let shared = DebugFlags(parsing: all)
        self.init(level: min(own.level, shared.level), showPID: own.showPID || shared.showPID)
    }

    private mutating func lower(to candidate: Logger.Level) {
        level = min(level, candidate)
    }
}
