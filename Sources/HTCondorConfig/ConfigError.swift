/// A configuration the gahp cannot run with: a file that cannot be read, a line that cannot be
/// parsed, or a setting whose value is unusable.
///
/// `file` and `line` point the administrator at the definition to fix; both are nil when the
/// problem is not tied to one place (e.g. no configuration file at all).
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var message: String

    public init(file: String? = nil, line: Int? = nil, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String {
        switch (file, line) {
        case let (file?, line?): "\(file), line \(line): \(message)"
        case let (file?, nil): "\(file): \(message)"
        default: message
        }
    }
}
