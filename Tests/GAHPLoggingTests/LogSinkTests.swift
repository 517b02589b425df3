import Foundation
import GAHPLogging
import Logging
import Testing
import VMCore

@Suite struct LogSinkTests {
    @Test func writesDprintfLinesToTheFile() throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("VMGahpLog")), showPID: true))
        var log = logger(for: sink)
        log[metadataKey: "vm"] = "1"
        log.info("VM-GAHP initialized with run-mode 3")
        log.warning("careful", metadata: ["step": "start"])
        let lines = fixture.lines("VMGahpLog")
        #expect(lines.count == 2)
        let pid = ProcessInfo.processInfo.processIdentifier
        #expect(startsWithTimestamp(lines[0]))
        #expect(lines[0].hasSuffix(" (pid:\(pid)) VM-GAHP initialized with run-mode 3 vm=1"))
        #expect(lines[1].hasSuffix(" (pid:\(pid)) careful step=start vm=1"))
    }

    @Test func levelFollowsTheSinkUntilSetExplicitly() throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("log"))))
        let log = logger(for: sink)
        log.debug("hidden debug")
        log.trace("hidden trace")
        log.info("shown info")
        sink.reconfigure(LogSettings(destination: .file(fixture.path("log")), level: .debug))
        log.debug("shown debug")
        log.trace("hidden trace 2")
        var pinned = logger(for: sink)
        pinned.logLevel = .error
        pinned.warning("hidden warning")
        pinned.error("shown error")
        let messages = fixture.lines("log").map { String($0.dropFirst(18)) }
        #expect(messages == ["shown info", "shown debug", "shown error"])
    }

    @Test func disabledLevelsAreNotEvaluated() throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("log"))))
        let log = logger(for: sink)
        nonisolated(unsafe) var evaluated = false
        log.debug("\({ evaluated = true; return "x" }())")
        #expect(!evaluated)
        #expect(!fixture.exists("log"))
    }

    /// Each line is 50 bytes: 18 of timestamp, 31 of message, a newline.
    /// As root the log belongs to HTCondor's condor user whenever it is opened, whether
    /// created, left behind by root, or new after a rotation, so HTCondor's own gahp can
    /// write it too.
    @Test func theLogBelongsToItsOwner() throws {
        guard geteuid() == 0 else { print("SKIP: not root, cannot change owners"); return }
        let fixture = try LogFixture()
        let owner = FileOwner(uid: 65534, gid: 65534)
        func ownerOf(_ name: String) throws -> (Int, Int) {
            let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path(name))
            return ((attributes[.ownerAccountID] as! NSNumber).intValue, (attributes[.groupOwnerAccountID] as! NSNumber).intValue)
        }
        #expect(FileManager.default.createFile(atPath: fixture.path("VMGahpLog"), contents: Data("left by root\n".utf8)))
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("VMGahpLog")), maxBytes: 200, owner: owner))
        let log = logger(for: sink)
        log.info("first")
        #expect(try ownerOf("VMGahpLog") == (65534, 65534), "a root-owned log is handed over")
        for _ in 0..<10 { log.info("\(String(repeating: "x", count: 60))") }
        #expect(fixture.exists("VMGahpLog.old"))
        #expect(try ownerOf("VMGahpLog") == (65534, 65534), "the file after a rotation too")
    }

    @Test func rotatesToOldAtTheExactLimit() throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("log")), maxBytes: 100))
        let log = logger(for: sink)
        func message(_ n: Int) -> Logger.Message { "\(String(repeating: "m", count: 30))\(n)" }
        log.info(message(1))
        log.info(message(2))
        #expect(fixture.size("log") == 100)
        #expect(!fixture.exists("log.old"))
        log.info(message(3))
        #expect(fixture.size("log.old") == 100)
        #expect(fixture.lines("log.old").map { $0.last } == ["1", "2"])
        #expect(fixture.lines("log").map { $0.last } == ["3"])
        log.info(message(4))
        log.info(message(5))
        #expect(fixture.lines("log.old").map { $0.last } == ["3", "4"])
        #expect(fixture.lines("log").map { $0.last } == ["5"])
    }

    @Test func anOversizedLineStillGetsWritten() throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("log")), maxBytes: 10))
        let log = logger(for: sink)
        log.info("far longer than ten bytes")
        #expect(fixture.lines("log").count == 1)
        log.info("next")
        #expect(fixture.lines("log.old").count == 1)
        #expect(fixture.lines("log").count == 1)
    }

    @Test func zeroLimitNeverRotates() throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("log")), maxBytes: 0))
        let log = logger(for: sink)
        for n in 0..<20 { log.info("line \(n)") }
        #expect(fixture.lines("log").count == 20)
        #expect(!fixture.exists("log.old"))
    }

    @Test func aSiblingsRotationIsFollowed() throws {
        let fixture = try LogFixture()
        // 42 + 41 bytes exceed the limit, 41 + 21 do not.
        let settings = LogSettings(destination: .file(fixture.path("log")), maxBytes: 80)
        let first = logger(for: LogSink(settings: settings))
        let second = logger(for: LogSink(settings: settings))
        first.info("first process, line one")
        second.info("second process rotates")
        first.info("1b")
        #expect(fixture.lines("log.old").map { $0.dropFirst(18) } == ["first process, line one"])
        #expect(fixture.lines("log").map { $0.dropFirst(18) } == ["second process rotates", "1b"])
    }

    @Test func missingDirectoryDropsLinesAndRecoversWhenItAppears() throws {
        let fixture = try LogFixture()
        let path = fixture.path("later/log")
        let log = logger(for: LogSink(settings: LogSettings(destination: .file(path))))
        log.info("dropped")
        #expect(!fixture.exists("later"))
        try FileManager.default.createDirectory(atPath: fixture.path("later"), withIntermediateDirectories: false)
        log.info("kept")
        #expect(fixture.lines("later/log").map { $0.dropFirst(18) } == ["kept"])
    }

    @Test func aDirectoryInTheWayDropsLines() throws {
        let fixture = try LogFixture()
        try FileManager.default.createDirectory(atPath: fixture.path("log"), withIntermediateDirectories: false)
        let log = logger(for: LogSink(settings: LogSettings(destination: .file(fixture.path("log")), maxBytes: 1)))
        log.info("dropped")
        log.info("dropped again")
        var isDirectory: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: fixture.path("log"), isDirectory: &isDirectory))
        #expect(isDirectory.boolValue)
        #expect(!fixture.exists("log.old"))
    }

    @Test func aPathThroughAFileDropsLines() throws {
        let fixture = try LogFixture()
        #expect(FileManager.default.createFile(atPath: fixture.path("file"), contents: Data("x".utf8)))
        let log = logger(for: LogSink(settings: LogSettings(destination: .file(fixture.path("file/log")))))
        log.info("dropped")
        #expect(fixture.contents("file") == "x")
    }

    @Test(.enabled(if: getuid() != 0, "root writes read-only files anyway"))
    func aReadOnlyFileDropsLines() throws {
        let fixture = try LogFixture()
        #expect(FileManager.default.createFile(
            atPath: fixture.path("log"), contents: Data(), attributes: [.posixPermissions: 0o444]))
        let log = logger(for: LogSink(settings: LogSettings(destination: .file(fixture.path("log")))))
        log.info("dropped")
        #expect(fixture.size("log") == 0)
    }

    @Test func aFIFOIsWrittenButNeverRotated() throws {
        let fixture = try LogFixture()
        let path = fixture.path("fifo")
        #expect(mkfifo(path, 0o600) == 0)
        let reader = open(path, O_RDONLY | O_NONBLOCK)
        #expect(reader >= 0)
        defer { close(reader) }
        let log = logger(for: LogSink(settings: LogSettings(destination: .file(path), maxBytes: 10)))
        log.info("one")
        log.info("two")
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(reader, &buffer, buffer.count)
        let text = String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
        #expect(text.split(separator: "\n").map { $0.dropFirst(18) } == ["one", "two"])
        #expect(!fixture.exists("fifo.old"))
    }

    @Test func aFIFOWithoutReaderDoesNotBlock() throws {
        let fixture = try LogFixture()
        let path = fixture.path("fifo")
        #expect(mkfifo(path, 0o600) == 0)
        let log = logger(for: LogSink(settings: LogSettings(destination: .file(path))))
        log.info("dropped, not blocking")
        #expect(fixture.exists("fifo"))
    }

    @Test func reconfigureMovesToANewFile() throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("a"))))
        let log = logger(for: sink)
        log.info("to a")
        sink.reconfigure(LogSettings(destination: .file(fixture.path("b")), maxBytes: 5, level: .debug, showPID: true))
        #expect(sink.settings == LogSettings(destination: .file(fixture.path("b")), maxBytes: 5, level: .debug, showPID: true))
        log.debug("to b")
        #expect(fixture.lines("a").map { $0.dropFirst(18) } == ["to a"])
        #expect(fixture.lines("b").count == 1)
    }

    @Test func aLogRemovedFromUnderneathIsRecreated() throws {
        let fixture = try LogFixture()
        let log = logger(for: LogSink(settings: LogSettings(destination: .file(fixture.path("log")))))
        log.info("first")
        try FileManager.default.removeItem(atPath: fixture.path("log"))
        log.info("second")
        #expect(fixture.lines("log").map { $0.dropFirst(18) } == ["second"])
    }

    @Test func concurrentWritersProduceWholeLines() async throws {
        let fixture = try LogFixture()
        let sink = LogSink(settings: LogSettings(destination: .file(fixture.path("log")), maxBytes: 0))
        let writers = 16
        let perWriter = 200
        let filler = String(repeating: "x", count: 200)
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let log = logger(for: sink)
                    for n in 0..<perWriter { log.info("writer=\(writer) n=\(n) \(filler)") }
                }
            }
        }
        let lines = fixture.lines("log")
        #expect(lines.count == writers * perWriter)
        var next = [Int](repeating: 0, count: writers)
        for line in lines {
            let fields = line.dropFirst(18).split(separator: " ")
            guard fields.count == 3, fields[2] == filler,
                let writer = Int(fields[0].dropFirst("writer=".count)), let n = Int(fields[1].dropFirst("n=".count))
            else {
                Issue.record("torn line: \(line.prefix(80))")
                continue
            }
            #expect(n == next[writer])
            next[writer] = n + 1
        }
        #expect(next == [Int](repeating: perWriter, count: writers))
    }
}
