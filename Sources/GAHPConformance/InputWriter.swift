import Foundation

/// Feeds the gahp's stdin from a queue on its own thread.
///
/// Sends never block a step: a gahp that stops reading (for example because its own
/// stdout is full) only delays the queue. Write errors such as EPIPE after the gahp
/// exited are expected in hostile cases and end the queue quietly.
final class InputWriter: @unchecked Sendable {
    private let condition = NSCondition()
    private var chunks: [[UInt8]] = []
    private var closeRequested = false
    private var cancelled = false
    private var fd: Int32

    init(fd: Int32) {
        self.fd = fd
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        Thread { [self] in run() }.start()
    }

    func send(_ bytes: [UInt8]) {
        condition.lock()
        chunks.append(bytes)
        condition.broadcast()
        condition.unlock()
    }

    /// Closes stdin once everything queued so far is written.
    func closeAfterQueue() {
        condition.lock()
        closeRequested = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops writing at once and closes stdin; used when a case ends.
    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    private func run() {
        // A gahp that exits while we write must give EPIPE, not kill the runner: SIGPIPE for a
        // pipe write goes to the writing thread, so blocking it here is enough and local.
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        while true {
            condition.lock()
            while chunks.isEmpty && !closeRequested && !cancelled { condition.wait() }
            if cancelled || chunks.isEmpty {
                condition.unlock()
                break
            }
            let chunk = chunks.removeFirst()
            condition.unlock()
            if !write(chunk) { break }
        }
        close(fd)
    }

    /// Writes all of `chunk`, polling so that `cancel` is noticed; false on a dead pipe.
    private func write(_ chunk: [UInt8]) -> Bool {
        var offset = 0
        while offset < chunk.count {
            if isCancelled { return false }
            let written = chunk[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
                continue
            }
            if written < 0 && (errno == EAGAIN || errno == EINTR) {
                var pollfd = Glibc.pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = poll(&pollfd, 1, 100)
                continue
            }
            return false
        }
        return true
    }

    private var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }
}
