import Foundation
import HTCondorConfig
import TestSupport

/// What one reader made of one configuration: every compared knob's value (nil: unset or
/// empty), or a refusal.
enum Reading: Equatable, CustomStringConvertible {
    case values([String: String?])
    case refused(String)

    var description: String {
        switch self {
        case .refused(let why): return "refused: \(why)"
        case .values(let values):
            return values.sorted { $0.key < $1.key }.map { "\($0.key) = \($0.value ?? "<unset>")" }.joined(separator: "\n")
        }
    }

    /// Same values, or both refused (the messages differ by design: ours name file and line).
    func agrees(with other: Reading) -> Bool {
        switch (self, other) {
        case (.refused, .refused): true
        case (.values(let mine), .values(let theirs)): mine == theirs
        default: false
        }
    }
}

/// HTCondor's own reader, `condor_config_val` from the bundle `scripts/htcondor-bundle.sh` finds.
struct HTCondorReader {
    let bundle: String
    let version: String

    /// The bundle; or why there is none (the script's exit 3 and its reason), a skip; any other
    /// failure of the script is an error, not a reason to skip.
    static func locate() throws -> Result<HTCondorReader, SkipReason> {
        let script = TestPaths.packageRoot.appendingPathComponent("scripts/htcondor-bundle.sh").path
        let run = Self.run(["/bin/bash", script], environment: ProcessInfo.processInfo.environment)
        if run.status == 3 { return .failure(SkipReason(text: run.standardError)) }
        guard run.status == 0 else {
            throw SkipReason(text: "scripts/htcondor-bundle.sh failed (exit \(run.status)): \(run.standardError)")
        }
        let bundle = run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let versionFile = (try? String(contentsOfFile: bundle + "/VERSION", encoding: .utf8)) ?? ""
        let version = versionFile.split(separator: "\n").first?.split(separator: " ").last.map(String.init) ?? ""
        return .success(HTCondorReader(bundle: bundle, version: version))
    }

    struct SkipReason: Error {
        let text: String
    }

    /// One `condor_config_val -subsystem VM_GAHP K1 K2 …` for all knobs: defined values come
    /// out on stdout in order, one line each; `Not defined: K` on stderr for the others; a
    /// configuration error or a failing function macro is an error line on stderr.
    func read(knobs: [String], environment: [String: String]) -> Reading {
        let run = Self.run(["\(bundle)/bin/condor_config_val", "-subsystem", "VM_GAHP"] + knobs, environment: environment)
        var undefined: Set<String> = []
        for line in run.standardError.split(separator: "\n") {
            if line.hasPrefix("Not defined: ") {
                // Named as looked up: `VM_GAHP.NAME` when only the prefixed form was defined.
                var name = line.dropFirst("Not defined: ".count).uppercased()
                if name.hasPrefix("VM_GAHP.") { name = String(name.dropFirst("VM_GAHP.".count)) }
                undefined.insert(name)
            } else if line.contains("Error") || line.contains("ERROR") {
                return .refused(run.standardError.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        let defined = knobs.filter { !undefined.contains($0.uppercased()) }
        var lines = run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard lines.count == defined.count else {
            return .refused("unreadable output: \(lines.count) lines for \(defined.count) defined knobs:\n\(run.standardOutput)")
        }
        var values: [String: String?] = Dictionary(uniqueKeysWithValues: knobs.map { ($0, nil) })
        for (knob, line) in zip(defined, lines) { values[knob] = line }
        return .values(values)
    }

    /// The gahp's reader on the same input.
    static func ours(knobs: [String], environment: [String: String]) -> Reading {
        do {
            let config = try HTCondorConfig.load(environment: environment, defaultConfigPath: "/nonexistent/condor_config")
            return .values(Dictionary(uniqueKeysWithValues: knobs.map { ($0, config.value($0)) }))
        } catch {
            return .refused(error.description)
        }
    }

    /// Runs a program (never through a shell) and collects its output through files.
    static func run(_ argv: [String], environment: [String: String]) -> (status: Int32, standardOutput: String, standardError: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (127, "", "\(argv[0]): \(error)") }
        // Read both pipes to their end before waiting, so a full pipe cannot stall the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            errorData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }
}
