import Dispatch
import Synchronization

/// The single writer of protocol lines.
///
/// Every line goes through one serial queue, so a reply is written whole and an `R`
/// notice can never land inside another reply. Lines are enqueued without blocking (a
/// finishing VM request never waits on the pipe); the reader calls `flush()` after each
/// request, so a starter that stops reading stops us from reading more requests, which
/// keeps memory bounded.
public final class ProtocolOutput: Sendable {
    /// Writes bytes to the peer; returns false when the peer is gone.
    public typealias Sink = @Sendable (String) -> Bool

    private let queue = DispatchQueue(label: "vmgahp.output")
    private let sink: Sink
    private let onLine: @Sendable (String) -> Void
    private let closed = Atomic<Bool>(false)

    /// - Parameter onLine: called with each line written (for the protocol trace in the log).
    public init(sink: @escaping Sink, onLine: @escaping @Sendable (String) -> Void = { _ in }) {
        self.sink = sink
        self.onLine = onLine
    }

    /// Queues lines to be written together, in order.
    public func send(_ lines: [String]) {
        queue.async { [self] in
            guard !closed.load(ordering: .relaxed) else { return }
            var text = ""
            for line in lines {
                onLine(line)
                text += line
                text += "\n"
            }
            if !sink(text) { closed.store(true, ordering: .relaxed) }
        }
    }

    public func send(_ line: String) { send([line]) }

    /// Waits until everything queued so far has been written.
    public func flush() { queue.sync {} }

    /// The peer stopped accepting output.
    public var isClosed: Bool { closed.load(ordering: .relaxed) }
}
