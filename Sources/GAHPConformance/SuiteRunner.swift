import Foundation

/// Finds the `.gahp` cases under the given paths and runs them, `jobs` at a time.
public struct SuiteRunner: Sendable {
    public static let fileExtension = "gahp"

    public struct Summary: Sendable, Equatable {
        public var passed = 0
        public var failed = 0
        public var skipped = 0
        /// Cases HTCondor's gahp failed as their `differs` mark says it must (`--htcondor`).
        public var differing = 0

        /// The closing line: `N passed, N failed`, then `, N differ by design (§10)` and
        /// `, N skipped` when there were any.
        public var line: String {
            "\(passed) passed, \(failed) failed"
                + (differing > 0 ? ", \(differing) differ by design (§10)" : "")
                + (skipped > 0 ? ", \(skipped) skipped" : "")
        }
    }

    public var options: RunOptions

    /// With `guests` on a real host, the host's features (`kvm`, `default-network`) are looked
    /// at here, once for the whole run.
    public init(options: RunOptions) {
        self.options = options.checkingHost()
    }

    /// A case file and the root its name and `send-file` paths are relative to.
    public struct CaseFile: Sendable, Equatable {
        public var path: String
        public var root: String
        /// `topic/name`.
        public var name: String
    }

    /// Case files below each path (or the path itself when it is a file), sorted by name.
    public func discover(_ paths: [String]) throws(RunnerError) -> [CaseFile] {
        var found: [CaseFile] = []
        for path in paths {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
                throw RunnerError("no such file or directory: \(path)")
            }
            if !isDirectory.boolValue {
                let root = Self.casesRoot(containing: absolute)
                found.append(CaseFile(path: absolute, root: root, name: Self.name(of: absolute, under: root)))
                continue
            }
            let root = Self.casesRoot(startingAt: absolute) ?? absolute
            let enumerator = FileManager.default.enumerator(atPath: absolute)
            while let relative = enumerator?.nextObject() as? String {
                guard relative.hasSuffix("." + Self.fileExtension) else { continue }
                let file = absolute + "/" + relative
                found.append(CaseFile(path: file, root: root, name: Self.name(of: file, under: root)))
            }
        }
        let filtered = options.filter.map { filter in found.filter { $0.name.contains(filter) } } ?? found
        return filtered.sorted { $0.name < $1.name }
    }

    /// A single case file's root: the cases folder above it, else its grandparent.
    private static func casesRoot(containing file: String) -> String {
        let directory = (file as NSString).deletingLastPathComponent
        return casesRoot(startingAt: directory) ?? (directory as NSString).deletingLastPathComponent
    }

    /// The nearest folder from `directory` upwards that holds the format's `README.md` (the
    /// cases folder), so names and `send-file` paths are the same whether one topic or the
    /// whole suite is run.
    private static func casesRoot(startingAt directory: String) -> String? {
        var candidate = directory
        while candidate != "/" && !candidate.isEmpty {
            if FileManager.default.fileExists(atPath: candidate + "/README.md") { return candidate }
            candidate = (candidate as NSString).deletingLastPathComponent
        }
        return nil
    }

    private static func name(of file: String, under root: String) -> String {
        var relative = file.hasPrefix(root + "/") ? String(file.dropFirst(root.count + 1)) : file
        if relative.hasSuffix("." + fileExtension) { relative.removeLast(fileExtension.count + 1) }
        return relative
    }

    /// Runs one case file.
    public func run(_ file: CaseFile) -> CaseOutcome {
        let text: String
        do {
            text = try String(contentsOfFile: file.path, encoding: .utf8)
        } catch {
            return .failed("cannot read \(file.path): \(error)")
        }
        let transcript: Transcript
        do {
            transcript = try TranscriptParser.parse(text, name: file.name)
        } catch {
            return .failed("bad transcript: \(error)")
        }
        let outcome = CaseExecution(transcript: transcript, options: options, casesRoot: file.root).run()
        guard options.htcondor, !transcript.differs.isEmpty else { return outcome }
        let cited = transcript.differs.joined(separator: " ")
        switch outcome {
        case .passed:
            return .failed("passes against HTCondor's gahp although marked `differs \(cited)`: the mark or §10 is wrong")
        case .failed(let why):
            return .differs("fails by design (§10: \(cited)): \(why)")
        case .skipped, .differs:
            return outcome
        }
    }

    /// Runs every case, calling `report` with each case's line as it completes (from
    /// worker threads, one call at a time).
    public func run(_ files: [CaseFile], report: @escaping @Sendable (String) -> Void) -> Summary {
        let state = SharedState(files: files)
        let workers = max(1, min(options.jobs, files.count))
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            Thread { [self] in
                while let file = state.nextFile() {
                    let outcome = run(file)
                    state.record(outcome, line: outcome.line(for: file.name), report: report)
                }
                group.leave()
            }.start()
        }
        group.wait()
        return state.summary
    }
}

private final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [SuiteRunner.CaseFile]
    private var index = 0
    private var totals = SuiteRunner.Summary()

    init(files: [SuiteRunner.CaseFile]) {
        self.files = files
    }

    func nextFile() -> SuiteRunner.CaseFile? {
        lock.lock()
        defer { lock.unlock() }
        guard index < files.count else { return nil }
        index += 1
        return files[index - 1]
    }

    func record(_ outcome: CaseOutcome, line: String, report: (String) -> Void) {
        lock.lock()
        defer { lock.unlock() }
        switch outcome {
        case .passed: totals.passed += 1
        case .failed: totals.failed += 1
        case .skipped: totals.skipped += 1
        case .differs: totals.differing += 1
        }
        report(line)
    }

    var summary: SuiteRunner.Summary {
        lock.lock()
        defer { lock.unlock() }
        return totals
    }
}
