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
    private let collected = GahpOutput()
    private let stderrText = GahpOutput()

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

    private static func collect(_ handle: FileHandle, into buffer: GahpOutput) {
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

    /// The next line of stdout, `R` included, or nil at end of output or after `timeout`.
    public func next(timeout: Duration = .seconds(30)) async -> String? {
        await collected.next(timeout: timeout)
    }

    /// Sends a request and returns its immediate reply (an `R` on the way is noted, not returned).
    public func request(_ line: String, timeout: Duration = .seconds(30)) async -> String? {
        send(line)
        return await collected.reply(timeout: timeout)
    }

    /// Waits for `R` if none was noted yet, sends RESULTS and returns its result lines.
    public func results(timeout: Duration = .seconds(30)) async -> [String] {
        await collected.results(timeout: timeout) { send($0) }
    }

    /// Everything the process wrote to stdout so far.
    public var standardOutput: String { collected.allText }

    /// Everything the process wrote to stderr so far.
    public var standardError: String { stderrText.allText }

    /// Waits for the exit status and for stdout and stderr to be read to their end (so
    /// `standardError` is complete), or nil after `timeout`.
    public func exitStatus(timeout: Duration = .seconds(30)) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning {
            if clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        for stream in [collected, stderrText] where await !stream.waitUntilClosed(timeout: deadline - clock.now) {
            return nil
        }
        return process.terminationStatus
    }

    /// SIGTERM lets the gahp tear its VMs down, which may take a while (`VM_GAHP_TEARDOWN_TIMEOUT`).
    /// The wait for its end runs on a thread of its own, polling: `waitUntilExit` here would hold
    /// one of the two cooperative threads of a 2-core host in a busy run loop, starving every
    /// other test until the gahp is gone.
    deinit {
        guard process.isRunning else { return }
        process.terminate()
        let process = self.process
        Thread.detachNewThread {
            while process.isRunning { usleep(10_000) }
        }
    }
}
