#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// A local wall-clock time, as dprintf prints it.
public struct LogTimestamp: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        (self.year, self.month, self.day) = (year, month, day)
        (self.hour, self.minute, self.second) = (hour, minute, second)
    }

    public static func now() -> LogTimestamp {
        var seconds = time(nil)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return LogTimestamp(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
            hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    /// `MM/DD/YY HH:MM:SS`, dprintf's default.
    var rendered: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(two(month))/\(two(day))/\(two(year % 100)) \(two(hour)):\(two(minute)):\(two(second))"
    }
}

/// One line of VM_GAHP_LOG, in dprintf's shape so tools and eyes trained on HTCondor logs read it:
/// `MM/DD/YY HH:MM:SS [(pid:N) ]message[ key=value…]`. The level is not printed (dprintf does not
/// by default); metadata follows the message sorted by key.
public enum LogLine {
    public static func render(
        timestamp: LogTimestamp, pid: Int32?, message: String, metadata: Logger.Metadata, error: (any Error)? = nil
    ) -> String {
        var line = timestamp.rendered + " "
        if let pid { line += "(pid:\(pid)) " }
        line += message
        for key in metadata.keys.sorted() {
            line += " \(key)=\(metadata[key].map { "\($0)" } ?? "")"
        }
        if let error { line += " error=\(error)" }
        if !line.hasSuffix("\n") { line += "\n" }
        return line
    }
}
