import GAHPWire
import Logging
import Synchronization
import VMCore

/// The protocol engine for one starter connection.
///
/// `receive` is called by the transport with one framed line at a time and answers
/// control commands and the `S`/`E` of VM requests at once; VM requests then run as
/// tasks, each under a deadline, and their results are queued for `RESULTS`.
public final class GAHPSession: Sendable {
    /// What the transport should do after a line.
    public enum Disposition: Sendable, Equatable {
        case proceed
        /// `QUIT` was received: call `shutdown()`, then `acknowledgeQuit(left:)`, then exit.
        case quit
    }

    let configuration: SessionConfiguration
    let driver: any VMDriver
    let output: ProtocolOutput
    let logger: Logger
    let state = Mutex(SessionState())

    public init(configuration: SessionConfiguration, driver: any VMDriver, output: ProtocolOutput, logger: Logger) {
        self.configuration = configuration
        self.driver = driver
        self.output = output
        self.logger = logger
    }

    /// Writes the greeting; the starter reads it before sending anything.
    public func greet() {
        output.send(GAHPVersion.banner)
    }

    @discardableResult
    public func receive(_ line: LineFramer.Line) -> Disposition {
        let text = line.text
        logger.debug("<- '\(text)'")
        if state.withLock({ $0.collecting != nil }) {
            receiveAdLine(line, text: text)
            return .proceed
        }
        if line.truncated {
            logger.warning("Refusing a request line longer than \(line.bytes.count) bytes")
            output.send("E")
            return .proceed
        }
        let arguments = GAHPArguments.split(line.bytes)
        guard let entry = GAHPCommand.entry(named: arguments[0]) else {
            logger.info("Unknown command '\(arguments[0])'")
            output.send("E")
            return .proceed
        }
        guard arguments.count == entry.arity else {
            logger.info("Wrong # of args \(arguments.count) for \(entry.name), should be \(entry.arity)")
            output.send("E")
            return .proceed
        }
        switch entry.command {
        case .asyncModeOn:
            state.withLock {
                $0.asyncMode = true
                $0.notified = false
            }
            output.send("S")
        case .asyncModeOff:
            state.withLock { $0.asyncMode = false }
            output.send("S")
        case .version:
            output.send("S " + GAHPVersion.banner)
        case .commands:
            output.send(GAHPCommand.commandsReply)
        case .supportVMs:
            output.send((["S"] + configuration.supportedTypes).joined(separator: " "))
        case .results:
            // Taken and written under the lock, so an `R` for a later result follows this reply.
            state.withLock {
                let batch = $0.results
                $0.results.removeAll()
                $0.notified = false
                output.send(["S \(batch.count)"] + batch.map(\.text))
            }
        case .quit:
            return .quit
        case .classAd:
            state.withLock {
                $0.ad = nil
                $0.collecting = []
                $0.collectingBytes = 0
            }
            output.send("S")
        case .classAdEnd:
            state.withLock { $0.ad = nil }
            output.send("S")
        case .vm(let operation):
            accept(operation, requestArgument: arguments[1], target: arguments[2])
        }
        return .proceed
    }

    /// Answers `QUIT` once teardown is over: `S` when every VM is confirmed gone, `E` when
    /// some may be left (`left`), so the starter runs kill mode for them.
    public func acknowledgeQuit(left: [String]) {
        output.send(left.isEmpty ? "S" : "E")
        output.flush()
    }

    private func receiveAdLine(_ line: LineFramer.Line, text: String) {
        if text.uppercased() == "CLASSAD_END", !line.truncated {
            let count = state.withLock { state -> Int in
                state.ad = state.collecting
                state.collecting = nil
                return state.ad?.count ?? 0
            }
            logger.debug("Received a job ad of \(count) lines")
            output.send("S")
            return
        }
        let kept = state.withLock { state -> Bool in
            guard !line.truncated, state.collecting!.count < configuration.maxAdLines,
                state.collectingBytes + line.bytes.count <= configuration.maxAdBytes
            else { return false }
            state.collecting!.append(text)
            state.collectingBytes += line.bytes.count
            return true
        }
        if !kept {
            logger.warning("Dropping a job ad line (\(line.bytes.count) bytes): the line or the ad is too long")
        }
    }
}
