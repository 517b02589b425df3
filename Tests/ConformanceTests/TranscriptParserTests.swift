import Testing
@testable import GAHPConformance

@Suite("Transcript parser")
struct TranscriptParserTests {
    private func parse(_ text: String) throws -> Transcript {
        try TranscriptParser.parse(text, name: "topic/case")
    }

    @Test func headerDirectivesSetUpTheProcess() throws {
        let transcript = try parse("""
            # a comment
            title a case
            covers §3.1.1 §3.1.2
            covers §4.1.1
            requires fake-driver guests
            differs §4.9.6 §3.2.2
            timeout 12.5
            args -f -M 0 vmtype kvm
            env VMGAHP_FAKE_HANG=stop,status
            unset VMGAHP_VMTYPE
            config VM_MEMORY = 0
            no-default-config
            file disk.img QFI\\xfb
            file empty.img
            mkdir sub/dir
            image disk.qcow2 qcow2 64M
            image boot.img raw 512
            cleanup-vm alice_submit.example.org_${cluster}.0
            """)
        #expect(transcript.title == "a case")
        #expect(transcript.covers == ["§3.1.1", "§3.1.2", "§4.1.1"])
        #expect(transcript.requires == ["fake-driver", "guests"])
        #expect(transcript.differs == ["§4.9.6", "§3.2.2"])
        #expect(transcript.setup.cleanupVMs == ["alice_submit.example.org_${cluster}.0"])
        #expect(transcript.timeout == 12.5)
        #expect(transcript.setup.arguments == "-f -M 0 vmtype kvm")
        #expect(transcript.setup.environment.map(\.name) == ["VMGAHP_FAKE_HANG", "VMGAHP_VMTYPE"])
        #expect(transcript.setup.environment.map(\.value) == ["stop,status", nil])
        #expect(transcript.setup.configLines == ["VM_MEMORY = 0"])
        #expect(!transcript.setup.defaultConfig)
        #expect(transcript.setup.files == [
            WorkFile(path: "disk.img", kind: .bytes("QFI\\xfb")), WorkFile(path: "empty.img", kind: .bytes("")),
            WorkFile(path: "sub/dir", kind: .directory),
            WorkFile(path: "disk.qcow2", kind: .image(format: "qcow2", bytes: 64 << 20)),
            WorkFile(path: "boot.img", kind: .image(format: "raw", bytes: 512)),
        ])
        #expect(transcript.steps.isEmpty)
    }

    @Test func stepArgumentsAreKeptVerbatim() throws {
        let transcript = try parse("covers §1\nsend CONDOR_VM_STATUS  10 \\1 \nexpect S\nexpect-re 2 0 (?<vm>\\d+)\nsend\n")
        #expect(transcript.steps.map(\.action) == [
            .send("CONDOR_VM_STATUS  10 \\1 "), .expect(.exact("S")), .expect(.regex("2 0 (?<vm>\\d+)")), .send(""),
        ])
        #expect(transcript.steps[1].source == SourceLine(number: 3, text: "expect S"))
    }

    @Test func everyStepDirectiveParses() throws {
        let transcript = try parse("""
            covers §1
            send-raw VERSION\\r\\n
            send-repeat 'A\\'' 3
            send-loop 1 3 RESULTS ${i}
            send-file ads/kvm-minimal.ad
            expect-loop 2 4 S
            skip-until-re VM_Type = .*
            wait-r
            wait-r 2.5
            expect-no-r
            collect-results 3 20
            expect-eof 1
            expect-exit 1 4
            expect-stderr usage
            expect-stderr-re .*VM_MEMORY.*
            expect-alive
            close-stdin
            stop-reading
            resume-reading
            pause 250
            signal SIGTERM
            signal hup
            rss-below 200
            step-timeout 30
            set name some value
            """)
        #expect(transcript.steps.map(\.action) == [
            .sendRaw("VERSION\\r\\n"), .sendRepeat("A\\'", count: 3), .sendLoop(1...3, "RESULTS ${i}"),
            .sendFile("ads/kvm-minimal.ad"), .expectLoop(2...4, "S"), .skipUntil(.regex("VM_Type = .*")), .waitR, .waitR, .expectNoR,
            .collectResults(3), .expectEOF, .expectExit(1), .expectStderr(.exact("usage")),
            .expectStderr(.regex(".*VM_MEMORY.*")), .expectAlive, .closeStdin, .stopReading, .resumeReading,
            .pause(milliseconds: 250), .signal(SIGTERM), .signal(SIGHUP), .rssBelow(mebibytes: 200),
            .stepTimeout(30), .set("name", "some value"),
        ])
        #expect(transcript.steps.map(\.timeout) == [
            nil, nil, nil, nil, nil, nil, nil, 2.5, nil, 20, 1, 4, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
        ])
    }

    @Test func unorderedGroupsTheFollowingExpectations() throws {
        let transcript = try parse("covers §1\nunordered 2\nexpect 2 0 1\nexpect-re 3 0 \\d+\nexpect S\n")
        #expect(transcript.steps.map(\.action) == [
            .unordered([.exact("2 0 1"), .regex("3 0 \\d+")]), .expect(.exact("S")),
        ])
    }

    @Test(arguments: [
        ("send VERSION", "cite the spec statements"),
        ("covers §1\nfrobnicate", "unknown directive `frobnicate`"),
        ("covers §1\nunordered 2\nexpect S", "incomplete"),
        ("covers §1\nunordered 2\nsend S", "needs 2 expect"),
        ("covers §1\nsend-raw \\q", "unknown escape"),
        ("covers §1\nsend-raw \\x4", "bad \\x escape"),
        ("covers §1\nsend-repeat A 3", "quoted string"),
        ("covers §1\nsend-loop 5 1 X", "is empty"),
        ("covers §1\nfile ../escape", "relative path"),
        ("covers §1\nfile /etc/passwd", "relative path"),
        ("covers §1\nexpect-exit zero", "exit code"),
        ("covers §1\nsignal USR9", "unknown signal"),
        ("covers §1\nenv NOVALUE", "NAME=VALUE"),
        ("covers §1\ntimeout -3", "positive number"),
        ("covers §1\ndiffers 4.9.6", "§10 statements"),
        ("covers §1\ndiffers", "§10 statements"),
        ("covers §1\nimage disk.img vmdk 1M", "raw|qcow2"),
        ("covers §1\nimage disk.img raw", "raw|qcow2"),
        ("covers §1\nimage disk.img raw 0", "raw|qcow2"),
        ("covers §1\nimage ../disk.img raw 1M", "relative path"),
        ("covers §1\ncleanup-vm", "VM name"),
    ])
    func malformedTranscriptsAreRejected(text: String, message: String) {
        #expect {
            try parse(text)
        } throws: { error in
            (error as? TranscriptError)?.message.contains(message) == true
        }
    }

    @Test func errorsNameTheLine() {
        #expect(throws: TranscriptError(line: 3, message: "unknown directive `nope`")) {
            try parse("covers §1\n\nnope x\n")
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
