import GAHPLogging
import Logging
import Testing

@Suite struct LogLineTests {
    let stamp = LogTimestamp(year: 2009, month: 1, day: 2, hour: 3, minute: 4, second: 5)

    @Test func dprintfShape() {
        #expect(LogLine.render(timestamp: stamp, pid: nil, message: "Command: VERSION", metadata: [:])
            == "01/02/09 03:04:05 Command: VERSION\n")
        let late = LogTimestamp(year: 2026, month: 12, day: 31, hour: 23, minute: 59, second: 58)
        #expect(LogLine.render(timestamp: late, pid: 4242, message: "x", metadata: [:])
            == "12/31/26 23:59:58 (pid:4242) x\n")
    }

    @Test func metadataFollowsSortedByKey() {
        let line = LogLine.render(timestamp: stamp, pid: nil, message: "started", metadata: ["vm": "7", "id": "a b"])
        #expect(line == "01/02/09 03:04:05 started id=a b vm=7\n")
    }

    @Test func errorsAreAppended() {
        struct Boom: Error, CustomStringConvertible { var description: String { "boom" } }
        let line = LogLine.render(timestamp: stamp, pid: nil, message: "failed", metadata: [:], error: Boom())
        #expect(line == "01/02/09 03:04:05 failed error=boom\n")
    }

    @Test func exactlyOneNewline() {
        #expect(LogLine.render(timestamp: stamp, pid: nil, message: "ends\n", metadata: [:]) == "01/02/09 03:04:05 ends\n")
        #expect(LogLine.render(timestamp: stamp, pid: nil, message: "a\nb", metadata: [:]) == "01/02/09 03:04:05 a\nb\n")
    }

    @Test func nowIsLocalWallClock() {
        let now = LogTimestamp.now()
        #expect((1...12).contains(now.month))
        #expect((1...31).contains(now.day))
        #expect(now.year >= 2024)
        let line = LogLine.render(timestamp: now, pid: nil, message: "m", metadata: [:])
        #expect(startsWithTimestamp(line))
    }
}

@Suite struct DebugFlagsTests {
    @Test(arguments: [
        (nil, Logger.Level.info, false),
        ("", .info, false),
        ("D_ALWAYS", .info, false),
        ("D_FULLDEBUG", .debug, false),
        ("d_fulldebug D_PID", .debug, true),
        ("D_COMMAND, D_PID", .info, true),
        ("D_ALWAYS:2", .debug, false),
        ("D_FULLDEBUG:1|D_SECURITY:2", .debug, false),
        ("D_ALL", .trace, false),
        ("D_ALL:2, D_FULLDEBUG", .trace, false),
        ("D_NONSENSE", .info, false),
    ] as [(String?, Logger.Level, Bool)])
    func parsing(text: String?, level: Logger.Level, pid: Bool) {
        #expect(DebugFlags(parsing: text) == DebugFlags(level: level, showPID: pid))
    }

    @Test func htcondorCombination() {
        // Own flags replace DEFAULT_DEBUG; ALL_DEBUG adds to either.
        #expect(DebugFlags(subsystem: "D_FULLDEBUG", all: "D_PID", fallback: "D_ALL")
            == DebugFlags(level: .debug, showPID: true))
        #expect(DebugFlags(subsystem: nil, all: nil, fallback: "D_ALL") == DebugFlags(level: .trace))
        #expect(DebugFlags(subsystem: "D_ALWAYS", all: "D_FULLDEBUG", fallback: nil) == DebugFlags(level: .debug))
        #expect(DebugFlags(subsystem: nil, all: nil, fallback: nil) == DebugFlags())
    }
}
