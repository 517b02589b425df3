import Testing
@testable import GAHPConformance

@Suite("Patterns, variables, escapes, command lines")
struct MatchingTests {
    @Test func exactPatternsCompareWholeLines() throws {
        let variables = Variables(["vm": "12"])
        #expect(try LinePattern.exact("2 0 ${vm}").match("2 0 12", variables: variables) == [:])
        #expect(try LinePattern.exact("2 0 ${vm}").match("2 0 123", variables: variables) == nil)
        #expect(try LinePattern.exact("$VMGahpVersion 0.1.0 $").match("$VMGahpVersion 0.1.0 $", variables: variables) == [:])
    }

    @Test func regexPatternsMatchWholeLinesAndCapture() throws {
        let variables = Variables()
        #expect(try LinePattern.regex("2 0 (?<vm>\\d+)").match("2 0 17", variables: variables) == ["vm": "17"])
        #expect(try LinePattern.regex("2 0 \\d+").match("12 0 17", variables: variables) == nil)
        #expect(try LinePattern.regex("S").match("S 0", variables: variables) == nil)
    }

    @Test func substitutedValuesMatchLiterally() throws {
        let variables = Variables(["text": "a.b*"])
        #expect(try LinePattern.regex("x ${text}").match("x a.b*", variables: variables) == [:])
        #expect(try LinePattern.regex("x ${text}").match("x aXbbb", variables: variables) == nil)
    }

    @Test func unknownVariablesAreErrors() {
        #expect(throws: TranscriptError(line: 0, message: "unknown variable ${vm}")) {
            try Variables().expand("STATUS 3 ${vm}")
        }
        #expect(throws: TranscriptError.self) {
            try LinePattern.regex("(").match("(", variables: Variables())
        }
    }

    @Test func dollarsWithoutBracesStayLiteral() throws {
        #expect(try Variables(["a": "1"]).expand("$x ${a} $ {a} $") == "$x 1 $ {a} $")
    }

    @Test func rawByteNotation() throws {
        #expect(try ByteEscapes.decode("A\\r\\n\\0\\t\\\\\\'\\xff\\x7F é") == [
            0x41, 0x0D, 0x0A, 0x00, 0x09, 0x5C, 0x27, 0xFF, 0x7F, 0x20, 0xC3, 0xA9,
        ])
        #expect(throws: TranscriptError.self) { try ByteEscapes.decode("\\") }
        #expect(throws: TranscriptError.self) { try ByteEscapes.decode("\\xZZ") }
    }

    @Test func commandLinesSplitLikeAShell() throws {
        #expect(try ShellWords.split("  /usr/sbin/condor_vm-gahp  ") == ["/usr/sbin/condor_vm-gahp"])
        #expect(try ShellWords.split("env 'A B' \"C \\\"D\\\" \\n\" E\\ F ''") == ["env", "A B", "C \"D\" \\n", "E F", ""])
        #expect(try ShellWords.split("a\tb\nc") == ["a", "b", "c"])
        #expect(throws: TranscriptError.self) { try ShellWords.split("'open") }
        #expect(throws: TranscriptError.self) { try ShellWords.split("trailing\\") }
    }

    @Test func outcomeLines() {
        #expect(CaseOutcome.passed.line(for: "a/b") == "PASS a/b")
        #expect(CaseOutcome.failed("why").line(for: "a/b") == "FAIL a/b: why")
        #expect(CaseOutcome.skipped("needs x").line(for: "a/b") == "SKIP a/b: needs x")
        #expect(SuiteRunner.Summary(passed: 3, failed: 1, skipped: 0).line == "3 passed, 1 failed")
        #expect(SuiteRunner.Summary(passed: 3, failed: 0, skipped: 2).line == "3 passed, 0 failed, 2 skipped")
        #expect(SuiteRunner.Summary(passed: 3, failed: 0, skipped: 2, differing: 4).line
            == "3 passed, 0 failed, 4 differ by design (§10), 2 skipped")
        #expect(CaseOutcome.differs("why").line(for: "a/b") == "DIFF a/b: why")
    }

    @Test func simulatedFlavoursImplyGuestsAndTheHostFeatures() {
        let host: Set<String> = ["guests", "kvm", "default-network"]
        #expect(RunOptions(gahp: ["x"], features: ["fake-driver"]).features == host.union(["fake-driver"]))
        #expect(RunOptions(gahp: ["x"], features: ["libvirt-test"]).features == host.union(["libvirt-test"]))
        #expect(RunOptions(gahp: ["x"], features: ["guests"]).features == ["guests"])
        #expect(RunOptions(gahp: ["x"], features: []).features.isEmpty)
    }
}
