import Foundation
import Testing
import TestSupport
@testable import GAHPConformance

/// The `differs` marks against spec §10, `--htcondor`, and what cases need on a real host:
/// unique names, real images, kill-mode cleanup and host features.
extension SuiteTests {
    /// The statements the §10 table lists (its first column; `5.2.8, 8.1.4` lists two).
    private func differenceRows() throws -> Set<String> {
        let spec = try String(contentsOfFile: Self.spec, encoding: .utf8)
        guard let start = spec.range(of: "## 10. ")?.upperBound,
              let end = spec.range(of: "\n## 11. ", range: start..<spec.endIndex)?.lowerBound
        else { throw RunnerError("the spec has no §10") }
        var rows: Set<String> = []
        for line in spec[start..<end].split(separator: "\n") where line.hasPrefix("| ") {
            let first = line.split(separator: "|").first.map(String.init) ?? ""
            for statement in first.split(separator: ",") {
                let trimmed = statement.trimmingCharacters(in: .whitespaces)
                if trimmed.first?.isNumber == true { rows.insert("§" + trimmed) }
            }
        }
        return rows
    }

    @Test func everyDifferenceACaseCitesIsARowOfSection10() throws {
        let rows = try differenceRows()
        #expect(rows.count > 15)
        var marked = 0
        for file in try runner().discover([Self.casesFolder]) {
            let transcript = try TranscriptParser.parse(String(contentsOfFile: file.path, encoding: .utf8), name: file.name)
            for reference in transcript.differs {
                #expect(rows.contains(reference), "\(file.name): `differs \(reference)` is not a row of §10")
            }
            // The title says DIFF exactly when the case is marked, so a reader sees it too.
            let saysDIFF = transcript.title?.contains("DIFF") == true
            #expect(saysDIFF == !transcript.differs.isEmpty, "\(file.name): title and `differs` disagree")
            #expect(!transcript.covers.contains("§10"), "\(file.name): cite the statement with `differs`, not §10")
            if !transcript.differs.isEmpty { marked += 1 }
        }
        #expect(marked >= 20)
    }

    @Test func againstHTCondorMarkedCasesMustFailAndOthersPass() async throws {
        let folder = try TemporaryDirectory(prefix: "conformance-differs")
        try folder.write("README.md", "cases root")
        let greeting = #"expect-re \$VMGahpVersion .* \$"#
        try folder.write("t/plain.gahp", "covers §4.2.1\n\(greeting)\nsend QUIT\nexpect S\n")
        try folder.write("t/differs-and-fails.gahp", "title x (DIFF)\ncovers §4.2.1\ndiffers §4.2.1\n\(greeting)\nsend QUIT\nexpect E\n")
        try folder.write("t/differs-but-passes.gahp", "title x (DIFF)\ncovers §4.2.1\ndiffers §4.2.1\n\(greeting)\nsend QUIT\nexpect S\n")
        let gahp = [TestPaths.product("vm-gahp-fake").path]
        let htcondor = SuiteRunner(options: RunOptions(gahp: gahp, features: ["fake-driver"], timeoutScale: 0.3, htcondor: true))
        let (summary, lines) = try await run(htcondor, [folder.path])
        #expect(summary == SuiteRunner.Summary(passed: 1, failed: 1, skipped: 0, differing: 1))
        #expect(summary.line == "1 passed, 1 failed, 1 differ by design (§10)")
        #expect(lines.contains { $0.hasPrefix("DIFF t/differs-and-fails: fails by design (§10: §4.2.1): line ") })
        #expect(lines.contains { $0.hasPrefix("FAIL t/differs-but-passes: passes against HTCondor's gahp although marked") })
        // Without --htcondor the mark changes nothing: the gahp under test must pass every case.
        let (ours, _) = try await run(runner(timeoutScale: 0.3), [folder.path])
        #expect(ours == SuiteRunner.Summary(passed: 2, failed: 1, skipped: 0))
    }

    @Test func cleanupDestroysTheDeclaredVMsWithKillMode() async throws {
        let folder = try TemporaryDirectory(prefix: "conformance-cleanup")
        try folder.write("README.md", "cases root")
        // A gahp that records its kill-mode calls and fails them when told to.
        let calls = folder.path + "/kills"
        let wrapper = try folder.write("gahp.sh", """
            #!/bin/sh
            case "$*" in *"-M 4 "*) echo "$*" >> \(calls); exit ${KILL_EXIT:-0};; esac
            exec \(TestPaths.product("vm-gahp-fake").path) "$@"
            """)
        chmod(wrapper, 0o755)
        let body = #"covers §2.5.1\#ncleanup-vm alice_submit.example.org_${cluster}.0\#nexpect-re \$VMGahpVersion .* \$\#nsend QUIT\#nexpect S\#n"#
        try folder.write("t/a.gahp", body)
        try folder.write("t/b.gahp", body)
        let options = RunOptions(gahp: [wrapper], features: ["fake-driver"])
        let (summary, _) = try await run(SuiteRunner(options: options), [folder.path])
        #expect(summary == SuiteRunner.Summary(passed: 2, failed: 0, skipped: 0))
        let killed = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(killed.count == 2)
        #expect(killed.allSatisfy {
            $0.range(of: #"^-f -M 4 vmtype kvm match alice_submit\.example\.org_\d+\.0$"#, options: .regularExpression) != nil
        })
        #expect(Set(killed).count == 2, "each case has a ClusterId of its own: \(killed)")

        var failing = options
        failing.extraEnvironment = [("KILL_EXIT", "3")]
        let (broken, lines) = try await run(SuiteRunner(options: failing), [folder.path + "/t/a.gahp"])
        #expect(broken.failed == 1)
        #expect(lines.first?.contains("cleanup: kill mode for alice_submit.example.org_") == true)
        #expect(lines.first?.hasSuffix(": exit 3") == true)
    }

    @Test func clusterIDsAreUnique() {
        let ids = (0..<2000).map { _ in CaseExecution.uniqueClusterID() }
        #expect(Set(ids).count == ids.count)
    }

    @Test func imagesAreRealImagesOfTheirFormat() throws {
        let folder = try TemporaryDirectory(prefix: "conformance-images")
        try CaseImage.create(at: folder.path + "/disk.qcow2", format: "qcow2", bytes: 64 << 20)
        let qcow2 = try #require(FileManager.default.contents(atPath: folder.path + "/disk.qcow2"))
        #expect(Array(qcow2.prefix(4)) == [0x51, 0x46, 0x49, 0xFB])  // "QFI\xfb"
        // The virtual size (bytes 24-31, big-endian) is what was asked.
        #expect(qcow2[24..<32].reduce(0) { $0 << 8 | Int($1) } == 64 << 20)
        try CaseImage.create(at: folder.path + "/disk.img", format: "raw", bytes: 1 << 20)
        let raw = try FileManager.default.attributesOfItem(atPath: folder.path + "/disk.img")
        #expect(raw[.size] as? Int == 1 << 20)
    }

    @Test func simulatedHostsAreNotLookedAt() {
        for flavour in RunOptions.simulatedHosts {
            #expect(RunOptions(gahp: ["x"], features: [flavour]).checkingHost().missingHostFeatures.isEmpty)
        }
        #expect(RunOptions(gahp: ["x"], extraConfig: ["VM_LIBVIRT_URI = test:///default"]).libvirtURI == "test:///default")
        #expect(RunOptions(gahp: ["x"]).libvirtURI == "qemu:///system")
    }

    @Test func aMissingHostFeatureSkipsWithTheReasonFound() async throws {
        let folder = try TemporaryDirectory(prefix: "conformance-host")
        try folder.write("README.md", "cases root")
        try folder.write("t/net.gahp", "covers §2.4.1\nrequires guests default-network\nexpect-re .*\n")
        var options = RunOptions(gahp: [TestPaths.product("vm-gahp-fake").path], features: ["guests"])
        options.features.insert("kvm")
        options.missingHostFeatures["default-network"] = "no active libvirt network `default` at qemu:///nowhere"
        // CaseExecution directly: SuiteRunner would look at this host's features itself.
        let transcript = try TranscriptParser.parse(
            String(contentsOfFile: folder.path + "/t/net.gahp", encoding: .utf8), name: "t/net")
        let outcome = CaseExecution(transcript: transcript, options: options, casesRoot: folder.path).run()
        #expect(outcome == .skipped("needs default-network (this host: no active libvirt network `default` at qemu:///nowhere)"))
    }
}
