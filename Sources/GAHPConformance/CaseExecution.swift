import Foundation
import Synchronization

/// Runs one transcript against a freshly started gahp in its own temporary directory.
final class CaseExecution {
    let transcript: Transcript
    let options: RunOptions
    let casesRoot: String
    var variables = Variables()
    var process: SpawnedGahp?
    var monitor: ProtocolMonitor
    /// Non-`R` lines already read but not yet matched (or results gathered by `collect-results`).
    var queued: [LineCollector.Line] = []
    /// `R` lines seen and not yet consumed by `wait-r` / `collect-results`.
    var pendingR = 0
    var stepTimeout: Double
    var caseDeadline = Date.distantFuture
    var signalsSent: Set<Int32> = []
    /// The gahp's environment, kept for the kill-mode runs of `cleanup-vm`.
    var environment: [(String, String)]?

    init(transcript: Transcript, options: RunOptions, casesRoot: String) {
        self.transcript = transcript
        self.options = options
        self.casesRoot = casesRoot
        self.stepTimeout = 10 * options.timeoutScale
        let arguments = transcript.setup.arguments ?? "-f -M 3"
        let words = (try? ShellWords.split(arguments)) ?? []
        let mode = words.firstIndex(of: "-M").flatMap { words.index(after: $0) < words.count ? words[words.index(after: $0)] : nil }
        monitor = ProtocolMonitor(serverMode: mode == "3" || mode == "1")
    }

    struct Failure: Error {
        var message: String
    }

    func run() -> CaseOutcome {
        let missing = transcript.requires.filter { !options.features.contains($0) }
        if let first = missing.first {
            let how = options.missingHostFeatures[first].map { "this host: \($0)" } ?? "pass --feature \(first) to run it"
            return .skipped("needs \(missing.joined(separator: ", ")) (\(how))")
        }
        let root: String
        do {
            root = try makeTemporaryRoot()
        } catch {
            return .failed("runner: \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: root) }
        caseDeadline = Date().addingTimeInterval(transcript.timeout * options.timeoutScale)
        let outcome: CaseOutcome
        do {
            try start(root: root)
            for step in transcript.steps {
                try perform(step)
                if let violation = monitor.violations.first {
                    throw Failure(message: "\(step.source): protocol violation: \(violation)")
                }
            }
            try finish()
            outcome = .passed
        } catch let failure as Failure {
            process?.shutDown(grace: 0.5)
            outcome = .failed(failure.message)
        } catch {
            process?.shutDown(grace: 0.5)
            outcome = .failed("\(error)")
        }
        let leftovers = destroyCleanupVMs()
        if case .passed = outcome, !leftovers.isEmpty {
            return .failed("cleanup: \(leftovers.joined(separator: "; "))")
        }
        return outcome
    }

    /// Destroys the VMs the case declared with `cleanup-vm`, each with the gahp's own kill mode
    /// (§2.5), so no guest outlives a case, however it ended. Returns what went wrong.
    func destroyCleanupVMs() -> [String] {
        guard let environment else { return [] }
        let type = environment.last { $0.0 == "VMGAHP_VMTYPE" }?.1 ?? "kvm"
        var problems: [String] = []
        for name in transcript.setup.cleanupVMs {
            let vmName: String
            do { vmName = try variables.expand(name) } catch {
                problems.append("\(name): \(error)")
                continue
            }
            do {
                let killer = try SpawnedGahp(
                    argv: options.gahp + ["-f", "-M", "4", "vmtype", type, "match", vmName],
                    environment: environment.map { "\($0.0)=\($0.1)" }, directory: variables["workdir"] ?? "/")
                killer.stdin.closeAfterQueue()
                let termination = killer.waitForExit(until: Date().addingTimeInterval(60 * options.timeoutScale))
                if termination != .exited(0) {
                    killer.shutDown(grace: 0)
                    problems.append("kill mode for \(vmName): \(termination?.description ?? "no exit within 60 s")")
                }
            } catch {
                problems.append("kill mode for \(vmName): \(error)")
            }
        }
        return problems
    }

    // MARK: setup

    /// `${cluster}`: a ClusterId no other case of this or a concurrent run uses, so VMs named
    /// from it (§7.2.2) never collide on a shared hypervisor.
    static func uniqueClusterID() -> Int {
        clusterIDs.withLock { used in
            while true {
                let id = Int.random(in: 100_000...999_999_999)
                if used.insert(id).inserted { return id }
            }
        }
    }

    func makeTemporaryRoot() throws -> String {
        var template = Array("/tmp/gahp-conformance.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RunnerError("mkdtemp: \(String(cString: strerror(errno)))") }
        let root = String(cString: made)
        chmod(root, 0o755)
        return root
    }

    func start(root: String) throws {
        let workdir = root + "/work"
        for directory in [workdir, root + "/log"] {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            chmod(directory, 0o755)
        }
        variables = Variables([
            "root": root, "workdir": workdir, "cases": casesRoot, "cluster": String(Self.uniqueClusterID()),
        ])
        for file in transcript.setup.files {
            let path = workdir + "/" + file.path
            if file.kind != .directory {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            }
            switch file.kind {
            case .bytes(let contents):
                let bytes = try ByteEscapes.decode(variables.expand(contents))
                guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                    throw RunnerError("cannot create \(path)")
                }
            case .directory:
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            case .image(let format, let bytes):
                try CaseImage.create(at: path, format: format, bytes: bytes)
            }
        }
        let config = (transcript.setup.defaultConfig ? RunOptions.defaultConfig : [])
            + options.extraConfig + transcript.setup.configLines
        try (config.map { line throws(TranscriptError) in try variables.expand(line) }.joined(separator: "\n") + "\n")
            .write(toFile: root + "/condor_config", atomically: false, encoding: .utf8)

        var environment: [(String, String)] = ProcessInfo.processInfo.environment
            .filter { !($0.key.hasPrefix("VMGAHP_") || $0.key.hasPrefix("_CONDOR_") || $0.key == "CONDOR_CONFIG") }
            .map { ($0.key, $0.value) }
        func apply(_ name: String, _ value: String?) {
            environment.removeAll { $0.0 == name }
            if let value { environment.append((name, value)) }
        }
        apply("VMGAHP_VMTYPE", "kvm")
        apply("VMGAHP_WORKING_DIR", workdir)
        apply("CONDOR_CONFIG", root + "/condor_config")
        for (name, value) in options.extraEnvironment { apply(name, try variables.expand(value)) }
        for (name, value) in transcript.setup.environment { apply(name, try value.map { text throws(TranscriptError) in try variables.expand(text) }) }

        self.environment = environment
        let arguments = try ShellWords.split(variables.expand(transcript.setup.arguments ?? "-f -M 3"))
        let started = try SpawnedGahp(
            argv: options.gahp + arguments, environment: environment.map { "\($0.0)=\($0.1)" }, directory: workdir)
        process = started
        variables["pid"] = String(started.pid)
    }

    func finish() throws {
        guard let process else { return }
        process.shutDown(grace: 5 * options.timeoutScale)
        drainForViolations()
        if let violation = monitor.violations.first {
            throw Failure(message: "at end: protocol violation: \(violation)")
        }
        if case .signalled(let signal)? = process.waitForExit(until: Date()), !signalsSent.contains(signal),
           signal != SIGKILL {
            throw Failure(message: "gahp crashed (killed by signal \(signal))")
        }
    }

    /// Lets the monitor see lines that arrived after the last step.
    func drainForViolations() {
        guard let process else { return }
        for line in process.stdout.remaining() { monitor.received(line) }
    }

    // MARK: steps

    func deadline(for step: Step) throws -> Date {
        let limit = (step.timeout.map { $0 * options.timeoutScale }) ?? stepTimeout
        let deadline = min(Date().addingTimeInterval(limit), caseDeadline)
        if deadline <= Date() { throw Failure(message: "\(step.source): case timeout of \(transcript.timeout) s reached") }
        return deadline
    }

    func running() throws -> SpawnedGahp {
        guard let process else { throw Failure(message: "no gahp running") }
        return process
    }
}

private let clusterIDs = Mutex<Set<Int>>([])
