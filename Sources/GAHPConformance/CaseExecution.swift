import Foundation

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
        if !missing.isEmpty {
            return .skipped("needs \(missing.joined(separator: ", ")) (pass --feature \(missing[0]) to run it)")
        }
        let root: String
        do {
            root = try makeTemporaryRoot()
        } catch {
            return .failed("runner: \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: root) }
        caseDeadline = Date().addingTimeInterval(transcript.timeout * options.timeoutScale)
        do {
            try start(root: root)
            for step in transcript.steps {
                try perform(step)
                if let violation = monitor.violations.first {
                    throw Failure(message: "\(step.source): protocol violation: \(violation)")
                }
            }
            try finish()
            return .passed
        } catch let failure as Failure {
            process?.shutDown(grace: 0.5)
            return .failed(failure.message)
        } catch {
            process?.shutDown(grace: 0.5)
            return .failed("\(error)")
        }
    }

    // MARK: setup

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
        variables = Variables(["root": root, "workdir": workdir, "cases": casesRoot])
        for file in transcript.setup.files {
            let path = workdir + "/" + file.path
            if let contents = file.contents {
                let bytes = try ByteEscapes.decode(variables.expand(contents))
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
                    throw RunnerError("cannot create \(path)")
                }
            } else {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
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
