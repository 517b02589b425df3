import Foundation
import Synchronization

/// A program run on a pseudo-terminal of the test's own, as an admin runs it in a terminal,
/// with what its screen shows (`TerminalScreen`).
///
/// The child gets a new session with the terminal as its controlling terminal and as
/// stdin, stdout and stderr. It is killed and reaped when the value goes away.
public final class PseudoTerminal: @unchecked Sendable {
    public let pid: pid_t
    private let master: Int32
    private let received = Received()

    /// Filled by the reader thread, which must not keep the terminal itself alive.
    private final class Received: Sendable {
        let bytes = Mutex<[UInt8]>([])
    }

    public init(executable: URL, arguments: [String], environment: [String: String], directory: String) throws {
        // posix_openpt and friends are not in Swift's Glibc module; their Linux core is this.
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, Self.TIOCSPTLCK, &unlock) == 0, ioctl(master, Self.TIOCGPTN, &number) == 0 else {
            throw PseudoTerminalError("cannot create a pseudo-terminal: errno \(errno)")
        }
        let slave = "/dev/pts/\(number)"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addclose(&actions, master)
        posix_spawn_file_actions_addopen(&actions, 0, slave, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Self.POSIX_SPAWN_SETSID)
        // env -C: posix_spawn_file_actions_addchdir_np is not in Swift's Glibc module either.
        let argv: [UnsafeMutablePointer<CChar>?] = (["/usr/bin/env", "-C", directory, executable.path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, "/usr/bin/env", &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            close(master)
            throw PseudoTerminalError("cannot run \(executable.path): errno \(spawned)")
        }
        pid = child
        let fd = master
        Thread.detachNewThread { [received] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }
                received.bytes.withLock { $0 += buffer[0..<count] }
            }
        }
    }

    // <asm-generic/ioctls.h> and <spawn.h> values, which Swift does not import (function-like macros).
    private static let TIOCSPTLCK: UInt = 0x4004_5431
    private static let TIOCGPTN: UInt = 0x8004_5430
    private static let POSIX_SPAWN_SETSID: Int16 = 0x80

    /// Types keys (raw bytes: `"\r"` is Enter, `"\u{1B}[A"` is Up).
    public func type(_ keys: String) {
        var bytes = Array(keys.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
            guard written > 0 else { return }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Everything the program wrote, escape sequences included.
    public var output: [UInt8] { received.bytes.withLock { $0 } }

    /// The screen as a terminal would show it now.
    public var screen: String { TerminalScreen(output).text }

    /// Waits until the screen satisfies `condition`; false after `timeout`.
    public func waitForScreen(timeout: Duration = .seconds(30), _ condition: (String) -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !condition(screen) {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }

    /// Waits until the screen shows `text`.
    public func waitFor(_ text: String, timeout: Duration = .seconds(30)) async -> Bool {
        await waitForScreen(timeout: timeout) { $0.contains(text) }
    }

    /// The exit status once the program ended, or nil after `timeout`.
    public func exitStatus(timeout: Duration = .seconds(30)) async -> Int32? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if clock.now >= deadline { return nil }
            try? await Task.sleep(for: .milliseconds(5))
        }
        reaped.store(true, ordering: .releasing)
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private let reaped = Atomic<Bool>(false)

    deinit {
        if !reaped.load(ordering: .acquiring) {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
    }
}

public struct PseudoTerminalError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The text a terminal shows after some output: enough of a VT100 for a line editor
/// (carriage return, line feed, backspace, cursor left/right, erase to end of line, clear).
public struct TerminalScreen {
    private var rows: [[Character]] = [[]]
    private var row = 0
    private var column = 0

    public init(_ bytes: [UInt8]) {
        let text = Array(String(decoding: bytes, as: UTF8.self))
        var index = 0
        while index < text.count {
            let character = text[index]
            index += 1
            switch character {
            case "\r": column = 0
            case "\n", "\r\n":
                if character == "\r\n" { column = 0 }
                row += 1
                if row == rows.count { rows.append([]) }
            case "\u{8}": column = max(0, column - 1)
            case "\u{1B}":
                guard index < text.count, text[index] == "[" else { continue }
                index += 1
                var parameter = ""
                while index < text.count, text[index].isNumber || text[index] == ";" {
                    parameter.append(text[index])
                    index += 1
                }
                guard index < text.count else { break }
                let final = text[index]
                index += 1
                let count = Int(parameter) ?? 1
                switch final {
                case "D": column = max(0, column - count)
                case "C": column += count
                case "K": if column < rows[row].count { rows[row].removeSubrange(column...) }
                case "H":
                    row = 0
                    column = 0
                case "J" where parameter == "2": rows = Array(repeating: [], count: rows.count)
                default: break
                }
            default:
                while rows[row].count < column { rows[row].append(" ") }
                if column < rows[row].count { rows[row][column] = character } else { rows[row].append(character) }
                column += 1
            }
        }
    }

    /// The rows, trailing blanks removed, joined by newlines.
    public var text: String {
        rows.map { String(String($0).reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
    }

    /// The row the cursor is on (where the admin types).
    public var currentLine: String { String(rows[row]) }
}
