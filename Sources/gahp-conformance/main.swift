import ArgumentParser
import Foundation
import GAHPConformance

/// Runs the scripted protocol cases against a gahp binary and prints one line per case.
struct GahpConformance: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gahp-conformance",
        abstract: "Run vm-gahp protocol conformance cases against a gahp binary.",
        discussion: """
            Prints `PASS name`, `FAIL name: why`, `SKIP name: why` or (with --htcondor) \
            `DIFF name: why` per case, then `N passed, N failed[, N differ by design (§10)][, N skipped]`. \
            Exits 1 when any case failed.
            """)

    @Option(help: "The gahp command line, split into words like a shell would (no shell is run).")
    var gahp: String

    @Option(name: .customLong("feature"), help: "A binary flavour the gahp has (fake-driver, libvirt-test, or guests for a real hypervisor); repeatable.")
    var features: [String] = []

    @Flag(help: "The gahp is HTCondor's own: cases marked `differs` must fail (DIFF), every other case must pass.")
    var htcondor = false

    @Option(help: "Run only the cases whose name contains this.")
    var filter: String?

    @Option(name: .customLong("env"), help: "NAME=VALUE added to every case's environment; repeatable.")
    var environment: [String] = []

    @Option(name: .customLong("config"), help: "A configuration line added to every case's CONDOR_CONFIG; repeatable.")
    var configLines: [String] = []

    @Option(help: "Cases run at the same time.")
    var jobs: Int = 2

    @Option(help: "Multiply every timeout by this factor.")
    var timeoutScale: Double = 1

    @Argument(help: "Case files or folders (for example protocol-spec/cases).")
    var paths: [String]

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard timeoutScale > 0 else { throw ValidationError("--timeout-scale must be positive") }
        for entry in environment where !entry.contains("=") {
            throw ValidationError("--env needs NAME=VALUE, got \(entry)")
        }
    }

    func run() throws {
        let words: [String]
        do {
            words = try ShellWords.split(gahp)
        } catch {
            throw ValidationError("--gahp: \(error)")
        }
        guard !words.isEmpty else { throw ValidationError("--gahp is empty") }
        let options = RunOptions(
            gahp: words, features: Set(features), filter: filter,
            extraEnvironment: environment.map { entry in
                let equals = entry.firstIndex(of: "=")!
                return (String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
            },
            extraConfig: configLines, jobs: jobs, timeoutScale: timeoutScale, htcondor: htcondor)
        let runner = SuiteRunner(options: options)
        let files: [SuiteRunner.CaseFile]
        do {
            files = try runner.discover(paths)
        } catch {
            throw ValidationError(error.description)
        }
        let summary = runner.run(files) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
        FileHandle.standardOutput.write(Data((summary.line + "\n").utf8))
        if summary.failed > 0 { throw ExitCode(1) }
    }
}

GahpConformance.main()
