import Foundation

/// Collects one of the gahp's output pipes on its own thread and hands out whole lines.
///
/// The thread can be paused (`stop-reading`) so the pipe fills up and the gahp meets
/// back-pressure; nothing else in the runner blocks on the pipe, so a silent gahp can
/// only make a step time out, never hang the runner.
final class LineCollector: @unchecked Sendable {
    struct Line: Sendable {
        var bytes: [UInt8]
        /// The line ended at EOF without a LF.
        var unterminated: Bool
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    private let condition = NSCondition()
    private var lines: [Line] = []
    private var head = 0
    private var partial: [UInt8] = []
    private var finished = false
    private var paused = false
    private let fd: Int32

    init(fd: Int32) {
        self.fd = fd
        let thread = Thread { [self] in run() }
        thread.stackSize = 1 << 20
        thread.start()
    }

    private func run() {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            condition.lock()
            while paused && !finished { condition.wait() }
            condition.unlock()
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            condition.lock()
            if count <= 0 {
                if !partial.isEmpty {
                    lines.append(Line(bytes: partial, unterminated: true))
                    partial = []
                }
                finished = true
                condition.broadcast()
                condition.unlock()
                close(fd)
                return
            }
            for byte in buffer[0..<count] {
                if byte == 0x0A {
                    lines.append(Line(bytes: partial, unterminated: false))
                    partial = []
                } else {
                    partial.append(byte)
                }
            }
            condition.broadcast()
            condition.unlock()
        }
    }

    enum Next {
        case line(Line)
        case eof
        case timedOut
    }

    /// The next line, waiting until `deadline`.
    func next(until deadline: Date) -> Next {
        condition.lock()
        defer { condition.unlock() }
        while head == lines.count && !finished {
            if !condition.wait(until: deadline) { break }
        }
        if head < lines.count {
            let line = lines[head]
            head += 1
            if head > 4096 {
                lines.removeFirst(head)
                head = 0
            }
            return .line(line)
        }
        return finished ? .eof : .timedOut
    }

    /// Waits until the pipe reached EOF (the writer closed it or died).
    func waitForEOF(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !finished {
            if !condition.wait(until: deadline) { break }
        }
        return finished
    }

    /// Every line received so far that has not been handed out by `next`.
    func remaining() -> [Line] {
        condition.lock()
        defer { condition.unlock() }
        return Array(lines[head...]) + (partial.isEmpty ? [] : [Line(bytes: partial, unterminated: true)])
    }

    /// Every line ever received (for stderr checks after the gahp exited).
    func all() -> [Line] {
        condition.lock()
        defer { condition.unlock() }
        return lines + (partial.isEmpty ? [] : [Line(bytes: partial, unterminated: true)])
    }

    func setPaused(_ value: Bool) {
        condition.lock()
        paused = value
        condition.broadcast()
        condition.unlock()
    }
}
