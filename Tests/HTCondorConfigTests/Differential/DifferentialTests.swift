import Foundation
import HTCondorConfig
import TestSupport
import Testing

/// Every knob the gahp reads must read the same in the gahp's reader as in HTCondor's own
/// `condor_config_val -subsystem VM_GAHP`, or both must refuse the configuration: on every
/// configuration file HTCondor ships (read from ../shared/htcondor/config-examples, alone and
/// installed the way the packages install them) and on a generated corpus. Skipped, with the
/// reason printed, where there is no HTCondor bundle.
@Suite(.serialized) struct DifferentialTests {
    static let examples = TestPaths.shared.appendingPathComponent("htcondor/config-examples")
    /// Every knob the gahp reads (`VM_TYPE` among them: doctor and the interactive mode read it).
    static let knobs = HTCondorConfig.knobsTheGahpReads
    /// CI's corpus; `VMGAHP_DIFFERENTIAL_SEED` / `_COUNT` explore others (a disagreement names
    /// its seed and number, and `VMGAHP_DIFFERENTIAL_REPORT=FILE` writes all of them out).
    static let seed = ProcessInfo.processInfo.environment["VMGAHP_DIFFERENTIAL_SEED"].flatMap { UInt64($0) } ?? 12
    static let generatedCount = ProcessInfo.processInfo.environment["VMGAHP_DIFFERENTIAL_COUNT"].flatMap { Int($0) } ?? 240

    /// The shipped files that are configuration (not the licence, README or package patches).
    static var shippedFiles: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples.path)) ?? []
        return names.filter { !$0.hasPrefix("LICENSE") && !$0.hasPrefix("README") && !$0.hasSuffix(".patch") }.sorted()
    }

    /// The issue's new admin: the packages' `condor_config` (the shipped generic file with the
    /// settings both packages patch in: `LOCAL_DIR`, an optional local file), `00-security` in
    /// `LOCAL_CONFIG_DIR`, and a `50-vm.conf`.
    static func stockInstall(extra: String? = nil, vmConf: String = "VM_TYPE = kvm\nVM_MEMORY = 1024\nVM_NETWORKING = false\n") -> GeneratedConfig {
        var config = GeneratedConfig()
        config.files["condor_config"] = """
            include : \(examples.appendingPathComponent("condor_config.generic").path)
            LOCAL_DIR = @ROOT@
            REQUIRE_LOCAL_CONFIG_FILE = false

            """
        config.files["config/00-security"] = "@LINK@" + examples.appendingPathComponent("00-security").path
        if let extra {
            let target = extra.hasPrefix("condor_config.local") ? "condor_config.local" : "config/\(extra)"
            config.files[target] = "@LINK@" + examples.appendingPathComponent(extra).path
        }
        config.files["config/50-vm.conf"] = vmConf
        return config
    }

    @Test func shippedFilesAndGeneratedCorpusReadAsInHTCondor() throws {
        let reference: HTCondorReader
        switch try HTCondorReader.locate() {
        case .failure(let reason):
            print("DifferentialTests skipped: \(reason.text.trimmingCharacters(in: .whitespacesAndNewlines))")
            return
        case .success(let found): reference = found
        }
        let files = Self.shippedFiles
        try #require(!files.isEmpty, "no shipped configuration files in \(Self.examples.path)")
        let started = ContinuousClock.now
        var cases: [(String, GeneratedConfig)] = []
        for file in files {
            var alone = GeneratedConfig()
            alone.files["condor_config"] = "@LINK@" + Self.examples.appendingPathComponent(file).path
            cases.append(("shipped \(file) as the only file", alone))
            if file != "condor_config.generic" && file != "00-security" {
                cases.append(("stock install plus shipped \(file)", Self.stockInstall(extra: file)))
            }
        }
        cases.append(("issue 12: stock install", Self.stockInstall()))
        var generator = ConfigGenerator(seed: Self.seed)
        for index in 0..<Self.generatedCount {
            var config = generator.make()
            // `if version` must see the bundle's version: by the knob, or by finding its library.
            if index % 2 == 0 {
                config.environment["_CONDOR_" + HTCondorVersion.knob] = reference.version
            } else {
                config.files[config.main] = "RELEASE_DIR = \(reference.bundle)\n" + (config.files[config.main] ?? "")
            }
            cases.append(("generated #\(index) (seed \(Self.seed))", config))
        }

        var mismatches: [String] = []
        var refusals = 0
        var refusedStockInstalls: [String] = []
        for (name, config) in cases {
            let directory = try TemporaryDirectory(prefix: "vmgahp-differential")
            let main = try Self.materialize(config, in: directory)
            var environment = ["PATH": "/usr/bin:/bin", "HOME": directory.path, "CONDOR_CONFIG": main]
            environment.merge(config.environment) { _, new in new }
            let theirs = reference.read(knobs: Self.knobs, environment: environment)
            let ours = HTCondorReader.ours(knobs: Self.knobs, environment: environment)
            if case .refused = theirs {
                refusals += 1
                if name.hasPrefix("stock install") || name.hasPrefix("issue 12") { refusedStockInstalls.append(name) }
            }
            if name.hasPrefix("issue 12"), case .values(let values) = ours {
                #expect(values["VM_MEMORY"] == "1024")
            }
            if !ours.agrees(with: theirs) {
                mismatches.append("\(name):\n" + Self.describe(config) + "\n-- HTCondor:\n\(theirs)\n-- vmgahp:\n\(ours)")
            }
        }
        let elapsed = ContinuousClock.now - started
        print("DifferentialTests: \(cases.count) configurations (\(files.count) shipped files, \(Self.generatedCount) generated, "
            + "\(refusals) refused by HTCondor), \(mismatches.count) disagreements, \(elapsed)")
        for mismatch in mismatches.prefix(3) { Issue.record(Comment(rawValue: mismatch)) }
        if let report = ProcessInfo.processInfo.environment["VMGAHP_DIFFERENTIAL_REPORT"] {
            try mismatches.joined(separator: "\n\n========\n").write(toFile: report, atomically: true, encoding: .utf8)
        }
        #expect(mismatches.isEmpty)
        // A stock install with any shipped file added is a configuration HTCondor reads.
        #expect(refusedStockInstalls.isEmpty, "\(refusedStockInstalls)")
    }

    /// Writes the files (a text `@LINK@PATH` becomes a symbolic link to PATH, so shipped files
    /// are read where they are) and returns the main file's path.
    static func materialize(_ config: GeneratedConfig, in directory: TemporaryDirectory) throws -> String {
        for (relative, text) in config.files.sorted(by: { $0.key < $1.key }) {
            let path = directory.url.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
            if text.hasPrefix("@LINK@") {
                try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: String(text.dropFirst(6)))
            } else {
                try text.replacingOccurrences(of: "@ROOT@", with: directory.path).write(to: path, atomically: true, encoding: .utf8)
            }
        }
        return directory.url.appendingPathComponent(config.main).path
    }

    static func describe(_ config: GeneratedConfig) -> String {
        let files = config.files.sorted { $0.key < $1.key }.map { "== \($0.key)\n\($0.value)" }.joined(separator: "\n")
        let environment = config.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return files + (environment.isEmpty ? "" : "\n== environment: \(environment)")
    }
}
