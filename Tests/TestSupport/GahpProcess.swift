import Foundation
import Synchronization

/// A gahp binary run over pipes, the way the starter runs it.
///
/// Output is collected by a reader thread so tests can wait for lines with a timeout;
/// the process is killed and reaped when the value goes away, even if a test fails.
public final class GahpProcess: @unchecked Sendable {
    public let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let collected = LineBuffer()
    private let stderrText = LineBuffer()

    public init(executable: URL, arguments: [String], environment: [String: String], directory: String? = nil) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        Self.collect(output.fileHandleForReading, into: collected)
        Self.collect(errors.fileHandleForReading, into: stderrText)
    }

    private static func collect(_ handle: FileHandle, into buffer: LineBuffer) {
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                buffer.append(data)
            }
            buffer.close()
        }
    }

    /// Writes raw text (the caller adds line ends).
    public func write(_ text: String) {
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    /// Sends one request line with the starter's CRLF.
    public func send(_ line: String) { write(line + "\r\n") }

    public func closeInput() { try? input.fileHandleForWriting.close() }

    /// The next line of stdout, or nil at end of output or after `timeout`.
    public func next(timeout: Duration = .seconds(15)) async -> String? {
        await collected.next(timeout: timeout)
    }

    /// Sends a request and returns the immediate reply.
    public func request(_ line: String, timeout: Duration = .seconds(15)) async -> String? {
        send(line)
        return await next(timeout: timeout)
    }

    /// Waits for `R` if needed, polls RESULTS and returns its result lines.
    public func results(timeout: Duration = .seconds(15)) async -> [String] {
        var line = await next(timeout: timeout)
        while line == "R" { line = await request("RESULTS") }
        guard let header = line, header.hasPrefix("S ") else { return ["unexpected: \(line ?? "nothing")"] }
        var lines: [String] = []
        for _ in 0..<(Int(header.dropFirst(2)) ?? 0) { lines.append(await next() ?? "missing") }
        return lines
    }

    /// Everything the process wrote to stderr so far.
    public var standardError: String { stderrText.allText }

    /// Waits for the exit status, or nil after `timeout`.
    public func exitStatus(timeout: Duration = .seconds(15)) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }
}

/// Bytes split into lines, readable with a timeout.
final class LineBuffer: Sendable {
    private let state = Mutex<(pending: [UInt8], lines: [String], cursor: Int, closed: Bool, all: [UInt8])>(([], [], 0, false, []))

    func append(_ data: Data) {
        state.withLock { s in
            s.all += data
            for byte in data {
                if byte == UInt8(ascii: "\n") {
                    s.lines.append(String(decoding: s.pending, as: UTF8.self))
                    s.pending = []
                } else {
                    s.pending.append(byte)
                }
            }
        }
    }

    func close() { state.withLock { $0.closed = true } }

    var allText: String { state.withLock { String(decoding: $0.all, as: UTF8.self) } }

    func next(timeout: Duration) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let (line, finished) = state.withLock { s -> (String?, Bool) in
                if s.cursor < s.lines.count {
                    defer { s.cursor += 1 }
                    return (s.lines[s.cursor], false)
                }
                return (nil, s.closed)
            }
            if let line { return line }
            if finished || clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }
}
