import Foundation

/// Runs a host tool (never through a shell) for a test's set-up.
public enum Tools {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs `executable` with `arguments`; throws its combined output when it fails.
    public static func run(_ executable: String, _ arguments: [String]) throws {
        let (status, text) = try output(executable, arguments)
        guard status == 0 else {
            throw Failure(description: "\(executable) \(arguments.joined(separator: " ")): \(text)")
        }
    }

    /// Runs `executable` with `arguments`; its exit status and combined stdout and stderr.
    public static func output(_ executable: String, _ arguments: [String]) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }
}
