import Foundation

/// A gahp started for one case: its pipes, and a waiter thread that reaps it.
///
/// The child is reaped in two phases (`waitid` with `WNOWAIT`, then `waitpid` under the
/// lock) so that `kill` can never hit a recycled pid: as long as `exitStatus` is nil the
/// pid still belongs to our child (running or zombie).
final class SpawnedGahp: @unchecked Sendable {
    enum Termination: Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        var description: String {
            switch self {
            case .exited(let code): return "exit \(code)"
            case .signalled(let signal): return "killed by signal \(signal)"
            }
        }
    }

    let pid: pid_t
    let stdout: LineCollector
    let stderr: LineCollector
    let stdin: InputWriter
    private let condition = NSCondition()
    private var termination: Termination?

    /// Starts `argv` (resolved through PATH when it has no `/`) in `directory`.
    init(argv: [String], environment: [String], directory: String) throws(RunnerError) {
        guard var program = argv.first else { throw RunnerError("empty gahp command line") }
        // The child starts in the case's directory, so a relative path must be made absolute here.
        if program.contains("/") && !program.hasPrefix("/") {
            program = FileManager.default.currentDirectoryPath + "/" + program
        }
        let argv = [program] + argv.dropFirst()
        // Cases run in parallel: hold the lock from pipe creation to spawn so that no other
        // child inherits these descriptors before they are marked close-on-exec.
        spawnLock.lock()
        defer { spawnLock.unlock() }
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        guard pipe(&stdinPipe) == 0, pipe(&stdoutPipe) == 0, pipe(&stderrPipe) == 0 else {
            throw RunnerError("pipe: \(String(cString: strerror(errno)))")
        }
        for fd in stdinPipe + stdoutPipe + stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
        guard let addChdir = addChdirAction else {
            throw RunnerError("this C library has no posix_spawn_file_actions_addchdir_np")
        }
        _ = addChdir(&actions, directory)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGHUP, SIGQUIT, SIGINT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = environment.map { strdup($0) } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        var child: pid_t = 0
        let status = program.contains("/")
            ? posix_spawn(&child, program, &actions, &attributes, cArgv, cEnv)
            : posix_spawnp(&child, program, &actions, &attributes, cArgv, cEnv)
        close(stdinPipe[0])
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard status == 0 else {
            close(stdinPipe[1])
            close(stdoutPipe[0])
            close(stderrPipe[0])
            throw RunnerError("cannot start \(program): \(String(cString: strerror(status)))")
        }
        pid = child
        stdout = LineCollector(fd: stdoutPipe[0])
        stderr = LineCollector(fd: stderrPipe[0])
        stdin = InputWriter(fd: stdinPipe[1])
        Thread { [self] in reap() }.start()
    }

    private func reap() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
        condition.lock()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let low = status & 0x7f
        termination = low == 0 ? .exited((status >> 8) & 0xff) : .signalled(low)
        condition.broadcast()
        condition.unlock()
    }

    /// The way the gahp ended, waiting until `deadline`; nil while it still runs.
    func waitForExit(until deadline: Date) -> Termination? {
        condition.lock()
        defer { condition.unlock() }
        while termination == nil {
            if !condition.wait(until: deadline) { break }
        }
        return termination
    }

    var isRunning: Bool {
        condition.lock()
        defer { condition.unlock() }
        return termination == nil
    }

    /// Sends `signal` if the child has not been reaped yet.
    func send(signal: Int32) {
        condition.lock()
        defer { condition.unlock() }
        if termination == nil { kill(pid, signal) }
    }

    /// Peak resident set size in KiB (`VmHWM`), while the child is not yet reaped.
    func peakResidentKiB() -> Int? {
        condition.lock()
        defer { condition.unlock() }
        guard termination == nil,
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "")
        }
        return nil
    }

    /// Ends the case's process: close stdin, give it `grace` to exit, then SIGKILL and reap.
    func shutDown(grace: TimeInterval) {
        // A gahp blocked on a full stdout cannot notice EOF, so drain before waiting.
        stdout.setPaused(false)
        stdin.cancel()
        if waitForExit(until: Date().addingTimeInterval(grace)) == nil {
            send(signal: SIGKILL)
            _ = waitForExit(until: Date().addingTimeInterval(10))
        }
    }
}

private let spawnLock = NSLock()

/// glibc declares `posix_spawn_file_actions_addchdir_np` only under `_GNU_SOURCE`, which the
/// Swift importer does not see, so it is looked up at run time (glibc ≥ 2.29 has it).
private let addChdirAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
}()

/// A problem of the runner itself (bad command line, cannot spawn, unreadable case).
public struct RunnerError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
