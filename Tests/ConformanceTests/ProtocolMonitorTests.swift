import Testing
@testable import GAHPConformance

@Suite("Protocol monitor")
struct ProtocolMonitorTests {
    private func line(_ text: String, unterminated: Bool = false) -> LineCollector.Line {
        LineCollector.Line(bytes: Array(text.utf8), unterminated: unterminated)
    }

    /// A server-mode monitor that has seen the greeting and the given requests.
    private func monitor(sent: String) -> ProtocolMonitor {
        var monitor = ProtocolMonitor(serverMode: true)
        monitor.received(line("$VMGahpVersion 0.1.0 Nov 25 2026 Condor\\ VMGAHP $"))
        monitor.sent(Array(sent.utf8))
        return monitor
    }

    @Test func aWellBehavedExchangeHasNoViolation() {
        var monitor = monitor(sent: "CONDOR_VM_STATUS 2 1\r\nCONDOR_VM_STATUS 3 1\nRESULTS\n")
        for text in ["S", "R", "S", "S 2", "2 0 STATUS=Stopped", "3 0 STATUS=Stopped"] { monitor.received(line(text)) }
        #expect(monitor.violations.isEmpty)
    }

    @Test func aSecondRBeforeResultsIsAViolation() {
        var monitor = monitor(sent: "CONDOR_VM_STATUS 2 1\nCONDOR_VM_STATUS 3 1\n")
        for text in ["S", "R", "S", "R"] { monitor.received(line(text)) }
        #expect(monitor.violations == ["a second `R` before the client sent RESULTS"])
    }

    @Test func asyncModeOnAllowsAnotherR() {
        var monitor = monitor(sent: "CONDOR_VM_STATUS 2 1\nASYNC_MODE_ON\nCONDOR_VM_STATUS 3 1\n")
        for text in ["S", "R", "S", "S", "R"] { monitor.received(line(text)) }
        #expect(monitor.violations.isEmpty)
    }

    @Test func rInsideAResultsReplyIsAViolation() {
        var monitor = monitor(sent: "RESULTS\n")
        for text in ["S 2", "2 0 NULL", "R", "3 0 NULL"] { monitor.received(line(text)) }
        #expect(monitor.violations == ["`R` written inside a RESULTS reply"])
    }

    @Test func rWhileAsyncIsOffIsAViolation() {
        var monitor = monitor(sent: "ASYNC_MODE_OFF\nCONDOR_VM_STATUS 2 1\n")
        for text in ["S", "S", "R"] { monitor.received(line(text)) }
        #expect(monitor.violations == ["`R` written while async mode is off"])
    }

    @Test func adLinesGetNoReplyAndExtraLinesAreViolations() {
        var monitor = monitor(sent: "CLASSAD\nQUIT\nVERSION\n classad_end\nclassad_end\n")
        for text in ["S", "S"] { monitor.received(line(text)) }
        #expect(monitor.violations.isEmpty)
        monitor.received(line("E"))
        #expect(monitor.violations == ["line without a request to answer: `E`"])
    }

    @Test func framingFollowsTheGahpsRules() {
        // An escaped LF joins two physical lines; a CR alone ends nothing; a raw chunk may split a line.
        var monitor = monitor(sent: "VER\\\nSION\n\r\nVERS")
        monitor.sent(Array("ION\n".utf8))
        for text in ["E", "E", "S x"] { monitor.received(line(text)) }
        #expect(monitor.violations.isEmpty)
        monitor.received(line("S"))
        #expect(!monitor.violations.isEmpty)
    }

    @Test func nothingIsAnsweredAfterQuit() {
        var monitor = monitor(sent: "QUIT\nVERSION\n")
        monitor.received(line("S"))
        monitor.received(line("S $VMGahpVersion"))
        #expect(monitor.violations == ["line without a request to answer: `S $VMGahpVersion`"])
    }

    @Test func longAndUnterminatedLinesAreViolations() {
        var monitor = ProtocolMonitor(serverMode: false)
        monitor.received(line(String(repeating: "x", count: 10 * 1024)))
        #expect(monitor.violations.isEmpty)
        monitor.received(line(String(repeating: "x", count: 10 * 1024 + 1)))
        monitor.received(line("VM_Type = \"kvm\"", unterminated: true))
        #expect(monitor.violations.count == 2)
    }

    @Test func aMalformedResultsReplyIsAViolation() {
        var monitor = monitor(sent: "RESULTS\n")
        monitor.received(line("S"))
        #expect(monitor.violations == ["RESULTS answered `S`, not `S <n>`"])
    }
}
