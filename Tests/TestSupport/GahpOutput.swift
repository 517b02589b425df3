import Synchronization

/// A gahp's output as the starter reads it: lines in order, each readable once, with a timeout.
///
/// The asynchronous `R` may come between any two lines, so a request's reply is the next line
/// that is not `R`; an `R` passed over that way is remembered, and `results` then asks for the
/// results at once instead of waiting for a notice that was already sent.
public final class GahpOutput: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var lines: [String] = []
        var cursor = 0
        var closed = false
        var all: [UInt8] = []
        var noticeSeen = false
    }

    private let state = Mutex(State())

    public init() {}

    public func append(_ bytes: some Sequence<UInt8>) {
        state.withLock { s in
            for byte in bytes {
                s.all.append(byte)
                if byte == UInt8(ascii: "\n") {
                    s.lines.append(String(decoding: s.pending, as: UTF8.self))
                    s.pending = []
                } else {
                    s.pending.append(byte)
                }
            }
        }
    }

    /// No more output will come: readers waiting for a line get nil at once.
    public func close() { state.withLock { $0.closed = true } }

    /// Waits until the writer has closed its end; false after `timeout`.
    public func waitUntilClosed(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !state.withLock({ $0.closed }) {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }

    /// Everything written so far.
    public var allText: String { state.withLock { String(decoding: $0.all, as: UTF8.self) } }

    /// Lines not read yet.
    public var unread: [String] { state.withLock { Array($0.lines[$0.cursor...]) } }

    /// The next line, `R` included, or nil at the end of output or after `timeout`.
    public func next(timeout: Duration) async -> String? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let (line, finished) = state.withLock { s -> (String?, Bool) in
                guard s.cursor < s.lines.count else { return (nil, s.closed) }
                defer { s.cursor += 1 }
                return (s.lines[s.cursor], false)
            }
            if let line { return line }
            if finished || clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    /// The reply to the request just sent: the next line that is not `R`.
    public func reply(timeout: Duration) async -> String? {
        while true {
            let line = await next(timeout: timeout)
            guard line == "R" else { return line }
            state.withLock { $0.noticeSeen = true }
        }
    }

    /// Waits for `R` (unless one was already passed over), sends `RESULTS` and returns its result lines.
    public func results(timeout: Duration, send: (String) -> Void) async -> [String] {
        let noticed = state.withLock { s in
            defer { s.noticeSeen = false }
            return s.noticeSeen
        }
        if !noticed {
            let notice = await next(timeout: timeout)
            guard notice == "R" else { return ["unexpected: \(notice ?? "nothing")"] }
        }
        send("RESULTS")
        guard let header = await reply(timeout: timeout), header.hasPrefix("S ") else { return ["no RESULTS reply"] }
        var lines: [String] = []
        for _ in 0..<(Int(header.dropFirst(2)) ?? 0) { lines.append(await next(timeout: timeout) ?? "missing") }
        return lines
    }
}
