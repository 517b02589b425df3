import Foundation

/// Runs one transcript against a freshly started gahp in its own temporary directory.
final class CaseExecution {
    private let transcript: Transcript
    private let options: RunOptions
    private let casesRoot: String
    private var variables = Variables()
    private var process: SpawnedGahp?
    private var monitor: ProtocolMonitor
    /// Non-`R` lines already read but not yet matched (or results gathered by `collect-results`).
    private var queued: [LineCollector.Line] = []
    /// `R` lines seen and not yet consumed by `wait-r` / `collect-results`.
    private var pendingR = 0
    private var stepTimeout: Double
    private var caseDeadline = Date.distantFuture
    private var signalsSent: Set<Int32> = []

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

    private func makeTemporaryRoot() throws -> String {
        var template = Array("/tmp/gahp-conformance.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RunnerError("mkdtemp: \(String(cString: strerror(errno)))") }
        let root = String(cString: made)
        chmod(root, 0o755)
        return root
    }

    private func start(root: String) throws {
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

    private func finish() throws {
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
    private func drainForViolations() {
        guard let process else { return }
        for line in process.stdout.remaining() { monitor.received(line) }
    }

    // MARK: steps

    private func deadline(for step: Step) throws -> Date {
        let limit = (step.timeout.map { $0 * options.timeoutScale }) ?? stepTimeout
        let deadline = min(Date().addingTimeInterval(limit), caseDeadline)
        if deadline <= Date() { throw Failure(message: "\(step.source): case timeout of \(transcript.timeout) s reached") }
        return deadline
    }

    private func running() throws -> SpawnedGahp {
        guard let process else { throw Failure(message: "no gahp running") }
        return process
    }

    private func perform(_ step: Step) throws {
        let process = try running()
        let at = step.source
        switch step.action {
        case .send(let text):
            send(Array(try variables.expand(text).utf8) + [0x0A])
        case .sendRaw(let text):
            send(try ByteEscapes.decode(variables.expand(text)))
        case .sendRepeat(let text, let count):
            let unit = try ByteEscapes.decode(variables.expand(text))
            var bytes: [UInt8] = []
            bytes.reserveCapacity(unit.count * count)
            for _ in 0..<count { bytes += unit }
            send(bytes)
        case .sendLoop(let range, let text):
            var bytes: [UInt8] = []
            for i in range { bytes += Array(try expand(text, i: i).utf8) + [0x0A] }
            send(bytes)
        case .sendFile(let path):
            let full = path.hasPrefix("/") ? path : casesRoot + "/" + path
            guard let contents = try? String(contentsOfFile: full, encoding: .utf8) else {
                throw Failure(message: "\(at): cannot read \(full)")
            }
            var bytes: [UInt8] = []
            for line in contents.split(separator: "\n", omittingEmptySubsequences: true) {
                bytes += Array(try variables.expand(String(line)).utf8) + [0x0A]
            }
            send(bytes)
        case .expect(let pattern):
            try expectLine(pattern, at: at, until: deadline(for: step))
        case .skipUntil(let pattern):
            let deadline = try deadline(for: step)
            var skipped = 0
            while true {
                let next = try nextLine(until: deadline)
                guard case .line(let line) = next else {
                    throw Failure(message: "\(at): expected a line \(pattern) after \(skipped) others, got \(describe(next))")
                }
                if let captures = try pattern.match(line.text, variables: variables) {
                    variables.merge(captures)
                    break
                }
                skipped += 1
            }
        case .expectLoop(let range, let text):
            let deadline = try deadline(for: step)
            for i in range {
                try expectLine(.exact(try expand(text, i: i)), at: at, until: deadline, label: "(i=\(i)) ")
            }
        case .unordered(let patterns):
            try expectUnordered(patterns, at: at, until: deadline(for: step))
        case .waitR:
            try waitForR(at: at, until: deadline(for: step))
        case .expectNoR:
            let arrived = process.stdout.remaining().filter { $0.bytes == [UInt8(ascii: "R")] }.count
            if pendingR + arrived > 0 { throw Failure(message: "\(at): expected no `R`, got \(pendingR + arrived)") }
        case .collectResults(let count):
            try collectResults(count, at: at, until: deadline(for: step))
        case .expectEOF:
            switch try nextLine(until: deadline(for: step)) {
            case .eof: break
            case .line(let line): throw Failure(message: "\(at): expected EOF, got `\(line.text.prefix(200))`")
            case .timedOut: throw Failure(message: "\(at): expected EOF, got nothing (timeout)")
            }
        case .expectExit(let code):
            let termination = process.waitForExit(until: try deadline(for: step))
            guard termination == .exited(code) else {
                throw Failure(message: "\(at): expected exit \(code), got \(termination.map(\.description) ?? "still running (timeout)")")
            }
        case .expectStderr(let pattern):
            guard process.stderr.waitForEOF(until: try deadline(for: step)) else {
                throw Failure(message: "\(at): stderr still open (timeout)")
            }
            let lines = process.stderr.all().map(\.text)
            guard try lines.contains(where: { try pattern.match($0, variables: variables) != nil }) else {
                throw Failure(message: "\(at): expected a stderr line \(pattern), got \(lines.isEmpty ? "no stderr" : "`\(lines.joined(separator: " | ").prefix(300))`")")
            }
        case .expectAlive:
            guard process.isRunning else {
                throw Failure(message: "\(at): expected the gahp running, got \(process.waitForExit(until: Date())?.description ?? "?")")
            }
        case .closeStdin:
            process.stdin.closeAfterQueue()
        case .stopReading:
            process.stdout.setPaused(true)
        case .resumeReading:
            process.stdout.setPaused(false)
        case .pause(let milliseconds):
            Thread.sleep(forTimeInterval: Double(milliseconds) / 1000 * options.timeoutScale)
        case .signal(let signal):
            signalsSent.insert(signal)
            process.send(signal: signal)
        case .rssBelow(let mebibytes):
            guard let kib = process.peakResidentKiB() else {
                throw Failure(message: "\(at): cannot read the gahp's memory use (not running?)")
            }
            guard kib < mebibytes * 1024 else {
                throw Failure(message: "\(at): expected peak RSS below \(mebibytes) MiB, got \(kib / 1024) MiB")
            }
        case .stepTimeout(let seconds):
            stepTimeout = seconds * options.timeoutScale
        case .set(let name, let value):
            variables[name] = try variables.expand(value)
        }
    }

    private func expand(_ text: String, i: Int) throws -> String {
        var scoped = variables
        scoped["i"] = String(i)
        return try scoped.expand(text)
    }

    private func send(_ bytes: [UInt8]) {
        monitor.sent(bytes)
        process?.stdin.send(bytes)
    }

    private enum Next {
        case line(LineCollector.Line)
        case eof
        case timedOut
    }

    /// The next line from the gahp, with the monitor told; `R` lines are counted, not returned.
    private func readLine(until deadline: Date, keepR: Bool) throws -> Next {
        guard let process else { return .eof }
        while true {
            switch process.stdout.next(until: deadline) {
            case .eof: return .eof
            case .timedOut: return .timedOut
            case .line(let line):
                monitor.received(line)
                if line.bytes == [UInt8(ascii: "R")] && !line.unterminated {
                    pendingR += 1
                    if keepR { return .line(line) }
                    continue
                }
                return .line(line)
            }
        }
    }

    private func nextLine(until deadline: Date) throws -> Next {
        if !queued.isEmpty { return .line(queued.removeFirst()) }
        return try readLine(until: deadline, keepR: false)
    }

    private func describe(_ next: Next) -> String {
        switch next {
        case .line(let line):
            let text = line.text
            return text.count > 200 ? "`\(text.prefix(200))…` (\(line.bytes.count) bytes)" : "`\(text)`"
        case .eof: return "EOF"
        case .timedOut: return "nothing (timeout)"
        }
    }

    private func expectLine(_ pattern: LinePattern, at: SourceLine, until deadline: Date, label: String = "") throws {
        let next = try nextLine(until: deadline)
        guard case .line(let line) = next, let captures = try pattern.match(line.text, variables: variables) else {
            throw Failure(message: "\(at): \(label)expected \(pattern.expanded(variables)), got \(describe(next))")
        }
        variables.merge(captures)
    }

    private func expectUnordered(_ patterns: [LinePattern], at: SourceLine, until deadline: Date) throws {
        var lines: [String] = []
        for _ in patterns {
            let next = try nextLine(until: deadline)
            guard case .line(let line) = next else {
                throw Failure(message: "\(at): expected \(patterns.count) lines in any order, got \(describe(next)) after \(lines)")
            }
            lines.append(line.text)
        }
        guard let captures = try assign(patterns[...], to: lines) else {
            throw Failure(message: "\(at): expected lines matching \(patterns.map(\.description).joined(separator: ", ")) in any order, got \(lines.map { "`\($0)`" }.joined(separator: ", "))")
        }
        variables.merge(captures)
    }

    /// Finds a one-to-one matching of patterns to lines (backtracking; groups are small).
    private func assign(_ patterns: ArraySlice<LinePattern>, to lines: [String]) throws -> [String: String]? {
        guard let pattern = patterns.first else { return [:] }
        for (index, line) in lines.enumerated() {
            guard let captures = try pattern.match(line, variables: variables) else { continue }
            var rest = lines
            rest.remove(at: index)
            if let more = try assign(patterns.dropFirst(), to: rest) {
                return captures.merging(more) { first, _ in first }
            }
        }
        return nil
    }

    private func waitForR(at: SourceLine, until deadline: Date) throws {
        while pendingR == 0 {
            let next = try readLine(until: deadline, keepR: true)
            switch next {
            case .line(let line) where line.bytes == [UInt8(ascii: "R")]:
                break
            case .line(let line):
                queued.append(line)
            case .eof, .timedOut:
                throw Failure(message: "\(at): expected `R`, got \(describe(next))")
            }
        }
        pendingR -= 1
    }

    /// Sends RESULTS after each `R` (or every 20 ms when async mode is off) until `count`
    /// result lines arrived; they are queued for the following expectations, oldest first.
    private func collectResults(_ count: Int, at: SourceLine, until deadline: Date) throws {
        guard queued.isEmpty else {
            throw Failure(message: "\(at): unmatched line `\(queued[0].text)` before collect-results")
        }
        var results: [LineCollector.Line] = []
        while results.count < count {
            if monitor.isAsync {
                try waitForR(at: at, until: deadline)
            } else if Date() >= deadline {
                throw Failure(message: "\(at): expected \(count) results, got \(results.count) (timeout)")
            }
            send(Array("RESULTS\n".utf8))
            let reply = try nextLine(until: deadline)
            guard case .line(let line) = reply, line.text.hasPrefix("S "), let n = Int(line.text.dropFirst(2)), n >= 0 else {
                throw Failure(message: "\(at): expected `S <n>` after RESULTS, got \(describe(reply))")
            }
            for _ in 0..<n {
                let next = try nextLine(until: deadline)
                guard case .line(let result) = next else {
                    throw Failure(message: "\(at): expected a result line, got \(describe(next))")
                }
                results.append(result)
            }
            if n == 0 && monitor.isAsync {
                throw Failure(message: "\(at): an `R` was followed by `S 0`")
            }
            if n == 0 { Thread.sleep(forTimeInterval: 0.02) }
        }
        if results.count > count {
            throw Failure(message: "\(at): expected \(count) results, got \(results.count): \(results.map { "`\($0.text)`" }.joined(separator: ", "))")
        }
        queued = results
    }
}
