/// Checks the invariants that hold for every exchange, whatever a case expects:
/// each request line gets exactly one reply line; a `RESULTS` reply `S <n>` is followed
/// by exactly `n` result lines with no `R` among them; at most one `R` between two
/// `RESULTS` (or `ASYNC_MODE_ON`); no `R` while async mode is off; no output line longer
/// than 10 KiB; every output line ends with LF.
///
/// It sees what was sent through the same framing the gahp applies (an unescaped LF ends
/// a line, CR is dropped, a backslash protects the next byte) so it can count requests
/// even for raw or hostile input.
struct ProtocolMonitor {
    static let maximumLineLength = 10 * 1024

    private enum Reply { case results, asyncOn, asyncOff, quit, other }

    private var awaitingGreeting: Bool
    private var pendingReplies: [Reply] = []
    private var pendingHead = 0
    private var resultLinesLeft = 0
    private var rSinceResults = 0
    private var asyncOn = true
    private var inAd = false
    private var quitSent = false
    private var framing: [UInt8] = []
    private var escaped = false
    private(set) var violations: [String] = []

    /// `serverMode` false turns the reply bookkeeping off (probe and kill modes print no protocol).
    init(serverMode: Bool) {
        awaitingGreeting = serverMode
        active = serverMode
    }

    private let active: Bool

    /// Whether the gahp should be announcing results with `R` (as far as replies show).
    var isAsync: Bool { asyncOn }

    mutating func sent(_ bytes: [UInt8]) {
        guard active else { return }
        for byte in bytes {
            if escaped {
                framing.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                framing.append(byte)
                escaped = true
            } else if byte == 0x0D {
                continue
            } else if byte == 0x0A {
                requestLine(framing)
                framing.removeAll(keepingCapacity: true)
            } else {
                framing.append(byte)
            }
        }
    }

    private mutating func requestLine(_ line: [UInt8]) {
        if quitSent { return }
        let text = String(decoding: line, as: UTF8.self).uppercased()
        if inAd {
            if text == "CLASSAD_END" {
                inAd = false
                pendingReplies.append(.other)
            }
            return
        }
        switch text {
        case "RESULTS":
            pendingReplies.append(.results)
            rSinceResults = 0
        case "ASYNC_MODE_ON": pendingReplies.append(.asyncOn)
        case "ASYNC_MODE_OFF": pendingReplies.append(.asyncOff)
        case "QUIT":
            pendingReplies.append(.quit)
            quitSent = true
        case "CLASSAD":
            pendingReplies.append(.other)
            inAd = true
        default: pendingReplies.append(.other)
        }
    }

    mutating func received(_ line: LineCollector.Line) {
        if line.bytes.count > Self.maximumLineLength {
            violations.append("output line of \(line.bytes.count) bytes exceeds 10 KiB")
        }
        if line.unterminated {
            violations.append("output ends inside a line (no LF): `\(line.text.prefix(80))`")
        }
        guard active else { return }
        if awaitingGreeting {
            awaitingGreeting = false
            return
        }
        if line.bytes == [UInt8(ascii: "R")] {
            if resultLinesLeft > 0 {
                violations.append("`R` written inside a RESULTS reply")
            }
            if !asyncOn {
                violations.append("`R` written while async mode is off")
            }
            rSinceResults += 1
            if rSinceResults > 1 {
                violations.append("a second `R` before the client sent RESULTS")
            }
            return
        }
        if resultLinesLeft > 0 {
            resultLinesLeft -= 1
            return
        }
        guard pendingHead < pendingReplies.count else {
            violations.append("line without a request to answer: `\(line.text.prefix(80))`")
            return
        }
        let reply = pendingReplies[pendingHead]
        pendingHead += 1
        let text = line.text
        switch reply {
        case .results:
            if text.hasPrefix("S "), let count = Int(text.dropFirst(2)), count >= 0 {
                resultLinesLeft = count
            } else {
                violations.append("RESULTS answered `\(text.prefix(80))`, not `S <n>`")
            }
            rSinceResults = 0
        case .asyncOn:
            if text == "S" {
                asyncOn = true
                rSinceResults = 0
            }
        case .asyncOff:
            if text == "S" { asyncOn = false }
        case .quit, .other:
            break
        }
    }
}
