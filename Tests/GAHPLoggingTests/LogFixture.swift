import Foundation
import GAHPLogging
import Logging

/// A temporary directory for log files, removed when the fixture goes away.
final class LogFixture {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("gahp-log-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }

    func contents(_ name: String) -> String? {
        FileManager.default.contents(atPath: path(name)).map { String(decoding: $0, as: UTF8.self) }
    }

    func lines(_ name: String) -> [String] {
        (contents(name) ?? "").split(separator: "\n").map(String.init)
    }

    func size(_ name: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path(name)))?[.size] as? Int
    }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }
}

/// A logger writing to `sink` without touching the process-wide logging system, which other
/// test suites in the same process share.
func logger(for sink: LogSink) -> Logger {
    Logger(label: "test") { _ in GAHPLogHandler(sink: sink) }
}

/// `MM/DD/YY HH:MM:SS ` as dprintf starts a line.
func startsWithTimestamp(_ line: String) -> Bool {
    line.prefixMatch(of: #/\d\d/\d\d/\d\d \d\d:\d\d:\d\d /#) != nil
}
