import Dispatch
import JobAd
import Logging
import Subprocess
import Synchronization
import VMCore

#if canImport(Glibc)
import Glibc
#endif
#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs `<VMWARE_PERL> <VMWARE_SCRIPT> <sub-command> <args>` the way the gahp must run
/// anything on data users control: an argument vector (no shell), stdin from /dev/null,
/// the job's user (when the gahp is root), a timeout, and bounded output.
///
/// The script runs in a session of its own, so a timeout kills everything it started
/// (a hung `vmrun` included) with one `kill(-pgid)`; VMware's own `vmware-vmx` detaches
/// into its own session and survives, as the VM must.
struct ControlScript: Sendable {
    var perl: String
    var script: String
    var timeout: Duration
    /// Who the script runs as; nil: as the gahp itself.
    var user: JobUser?
    /// How it becomes `user` (never swift-subprocess's own user change: see `UserSwitch`).
    var userSwitch: UserSwitch?
    var environment: [String: String]
    var workingDirectory: String?
    var logger: Logger

    /// Most bytes kept of each of stdout and stderr; the script prints a few short lines.
    static let outputLimit = 64 << 10

    /// A run that exited non-zero: the script's `(ERROR)` lines, or what it printed.
    struct Failure: Error, Sendable {
        var command: String
        var message: String
    }

    /// Runs one sub-command. Throws `Failure` for a non-zero exit (the caller decides
    /// whose fault that is) and a host `VMGAHPError` when the script cannot be run, runs
    /// too long, or prints anything but `KEY=VALUE` lines.
    /// - Parameter product: the product an earlier `check` found (`CONDOR_VMWARE_PRODUCT`),
    ///   which spares the script its detection.
    func run(_ command: String, _ arguments: [String], asRoot: Bool = false, product: String? = nil) async throws -> ScriptOutput {
        if let problem = VMwareHostCheck.scriptProblem(script) {
            throw VMGAHPError.host(.critical, "VMWARE_SCRIPT \(problem)")
        }
        guard let perlPath = findExecutable(perl, path: environment["PATH"]) else {
            throw VMGAHPError.host(.critical, "VMWARE_PERL \(perl) is not an executable file")
        }
        var options = PlatformOptions()
        options.createSession = true
        var executable = perlPath
        var argv = [script, command] + arguments
        if let user, !asRoot {
            guard let userSwitch else {
                throw VMGAHPError.host(.internal, "condor_vm_vmware must run as uid \(user.identity.uid), and this gahp has no way to switch users")
            }
            (executable, argv) = userSwitch.command(perlPath, argv, as: user.identity)
        }
        let started = ContinuousClock.now
        // On a Dispatch timer, not a task: a busy cooperative pool must not delay the kill.
        let watch = Watchdog()
        let timer = DispatchWorkItem { watch.expire() }
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.interval(timeout), execute: timer)
        defer { timer.cancel() }
        let label = "condor_vm_vmware \(command)"
        let outcome: ExecutionResult<Void, StringOutput<UTF8>, StringOutput<UTF8>>
        do {
            outcome = try await Subprocess.run(
                .path(FilePath(executable)), arguments: Arguments(argv),
                environment: .custom(childEnvironment(asRoot: asRoot, product: product)),
                workingDirectory: workingDirectory.map { FilePath($0) },
                platformOptions: options, input: .none,
                output: .string(limit: Self.outputLimit), error: .string(limit: Self.outputLimit)
            ) { execution in
                watch.started(execution.processIdentifier.value)
            }
        } catch {
            // The output limit was hit, or the spawn failed: make sure nothing is left.
            watch.expire()
            throw VMGAHPError.host(.internal, "\(label) could not be run or printed more than \(Self.outputLimit) bytes: \(error)")
        }
        let elapsed = ContinuousClock.now - started
        if watch.expired {
            throw VMGAHPError.host(.internal, "\(label) did not finish within \(timeout) and was killed with everything it started")
        }
        let stderr = outcome.standardError
        for line in stderr.split(separator: "\n") where !line.isEmpty {
            logger.debug("\(label): \(line.prefix(500))")
        }
        logger.debug("\(label) \(arguments.joined(separator: " ")) took \(elapsed) (\(outcome.terminationStatus))")
        guard case .exited(0) = outcome.terminationStatus else {
            let errors = stderr.split(separator: "\n").filter { $0.hasPrefix("(ERROR)") }
                .map { $0.dropFirst("(ERROR)".count).trimmingPrefix(" ") }
            let message = errors.isEmpty ? "exit \(outcome.terminationStatus); stderr: \(stderr.suffix(300))" : errors.joined(separator: "; ")
            throw Failure(command: command, message: Self.oneLine(String(message)))
        }
        do {
            return try ScriptOutput(parsing: outcome.standardOutput)
        } catch {
            throw VMGAHPError.host(.internal, "\(label) printed \(error.line) where a KEY=VALUE line belongs")
        }
    }

    private static func interval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(Int(min(seconds, Int64(Int.max / 1_000_000_000 - 1))) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
    }

    /// Kills the script's session once its time is up, whether that comes before or after
    /// its pid is known.
    private final class Watchdog: Sendable {
        private let state = Mutex<(pid: pid_t, expired: Bool)>((0, false))

        var expired: Bool { state.withLock { $0.expired } }

        func started(_ pid: pid_t) {
            let kill = state.withLock { s -> Bool in
                s.pid = pid
                return s.expired
            }
            if kill { Self.kill(pid) }
        }

        func expire() {
            let pid = state.withLock { s -> pid_t in
                s.expired = true
                return s.pid
            }
            if pid > 0 { Self.kill(pid) }
        }

        /// The script's session, and the script itself should it not lead one yet.
        private static func kill(_ pid: pid_t) {
            Glibc.kill(-pid, SIGKILL)
            Glibc.kill(pid, SIGKILL)
        }
    }

    /// The gahp's environment, with the job user's identity where the script runs as them.
    private func childEnvironment(asRoot: Bool, product: String?) -> [[UInt8]] {
        var env = environment
        if let product { env["CONDOR_VMWARE_PRODUCT"] = product }
        if let user, !asRoot {
            if let home = user.home { env["HOME"] = home }
            if let name = user.name { env["USER"] = name; env["LOGNAME"] = name }
        }
        // swift-subprocess hands each entry to strdup: it must carry its NUL.
        return env.sorted { $0.key < $1.key }.map { Array("\($0.key)=\($0.value)".utf8) + [0] }
    }

    /// At most 300 printable characters on one line, for logs and result texts.
    static func oneLine(_ text: String) -> String {
        let flat = String(text.map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F) ? " " : $0 })
        return flat.count > 300 ? String(flat.prefix(300)) + "..." : flat
    }
}

/// The script's results: `KEY=VALUE` lines, nothing else.
struct ScriptOutput: Sendable, Equatable {
    private(set) var values: [String: String] = [:]

    struct Malformed: Error {
        /// The offending line, quoted and shortened.
        var line: String
    }

    init(values: [String: String]) { self.values = values }

    /// Keys are upper-case identifiers; values are printable ASCII. Values that reach a
    /// result line (PID, MAC, IP, STATUS) are checked again against their own patterns.
    init(parsing text: String) throws(Malformed) {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let equals = line.firstIndex(of: "="),
                  Self.isKey(line[..<equals]), Self.isValue(line[line.index(after: equals)...])
            else {
                throw Malformed(line: "\"\(ControlScript.oneLine(String(line.prefix(80))))\"")
            }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
    }

    subscript(key: String) -> String? { values[key] }

    private static func isKey(_ key: Substring) -> Bool {
        guard let first = key.utf8.first, first >= 0x41, first <= 0x5A, key.utf8.count <= 64 else { return false }
        return key.utf8.allSatisfy { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    private static func isValue(_ value: Substring) -> Bool {
        value.utf8.count <= 1024 && value.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }
}
