import Foundation
import Testing
import TestSupport
import VMCore
@testable import GAHPConformance

/// The shipped cases, run by the real runner against the built `vm-gahp-fake`.
@Suite("Conformance suite", .serialized)
struct SuiteTests {
    static let casesFolder = TestPaths.packageRoot.appendingPathComponent("protocol-spec/cases").path
    static let spec = TestPaths.packageRoot.appendingPathComponent("protocol-spec/vm-gahp-protocol.md").path

    func runner(timeoutScale: Double = 1) -> SuiteRunner {
        SuiteRunner(options: RunOptions(
            gahp: [TestPaths.product("vm-gahp-fake").path], features: ["fake-driver"], timeoutScale: timeoutScale))
    }

    /// Runs the cases on a thread of its own: a whole run blocks for seconds, and on a
    /// two-core host blocking one of Swift's two cooperative threads stalls every other test.
    func run(_ runner: SuiteRunner, _ paths: [String]) async throws -> (SuiteRunner.Summary, [String]) {
        let files = try runner.discover(paths)
        return await BlockingCall.run {
            let lines = LinesSink()
            let summary = runner.run(files) { lines.append($0) }
            return (summary, lines.all)
        }
    }

    @Test func theFakeBinaryPassesEveryCase() async throws {
        let (summary, lines) = try await run(runner(), [Self.casesFolder])
        let failures = lines.filter { $0.hasPrefix("FAIL") }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(summary.failed == 0)
        let skipped = lines.filter { $0.hasPrefix("SKIP") }
        #expect(skipped.allSatisfy { $0.contains("needs libvirt-test") }, "only real-driver cases are skipped: \(skipped)")
        #expect(summary.passed > 100)
        #expect(lines.count == summary.passed + summary.failed + summary.skipped)
    }

    @Test func aCaseExpectingSomethingWrongFails() async throws {
        let copy = try TemporaryDirectory(prefix: "conformance-mutant")
        try FileManager.default.copyItem(atPath: Self.casesFolder + "/README.md", toPath: copy.path + "/README.md")
        try FileManager.default.copyItem(atPath: Self.casesFolder + "/ads", toPath: copy.path + "/ads")
        let original = try String(contentsOfFile: Self.casesFolder + "/commands/unknown-vm.gahp", encoding: .utf8)
        #expect(original.contains("expect 8 0 STATUS=Stopped"))
        try copy.write("commands/unknown-vm.gahp", original)
        try copy.write("commands/wrong-token.gahp", original.replacingOccurrences(
            of: "expect 8 0 STATUS=Stopped", with: "expect 8 0 STATUS=Running"))
        try copy.write("commands/extra-line.gahp", original.replacingOccurrences(
            of: "expect 8 0 STATUS=Stopped", with: "expect 8 0 STATUS=Stopped\nexpect S"))
        try copy.write("commands/wrong-order.gahp", original.replacingOccurrences(
            of: "expect 2 1 VMGAHP_ERR_VM_NOT_FOUND\nexpect 3 1 VMGAHP_ERR_VM_NOT_FOUND",
            with: "expect 3 1 VMGAHP_ERR_VM_NOT_FOUND\nexpect 2 1 VMGAHP_ERR_VM_NOT_FOUND"))

        // The extra-line mutant can only fail by timing out; a shorter step limit keeps the test quick.
        let (summary, lines) = try await run(runner(timeoutScale: 0.2), [copy.path])
        #expect(summary == SuiteRunner.Summary(passed: 1, failed: 3, skipped: 0))
        #expect(lines.contains("PASS commands/unknown-vm"))
        #expect(lines.contains {
            $0.hasPrefix("FAIL commands/wrong-token: line ")
                && $0.hasSuffix("expected `8 0 STATUS=Running`, got `8 0 STATUS=Stopped`")
        })
        #expect(lines.contains { $0.hasPrefix("FAIL commands/extra-line: ") && $0.contains("expected `S`, got") })
        #expect(lines.contains { $0.hasPrefix("FAIL commands/wrong-order: ") })
    }

    @Test func casesNeedingAnotherFlavourAreSkipped() async throws {
        let plain = SuiteRunner(options: RunOptions(gahp: [TestPaths.product("vm-gahp-fake").path], filter: "lifecycle/"))
        let (summary, lines) = try await run(plain, [Self.casesFolder])
        #expect(summary.passed == 0 && summary.failed == 0 && summary.skipped > 0)
        #expect(lines.allSatisfy { $0.hasPrefix("SKIP lifecycle/") && $0.contains("--feature") })
    }

    @Test func aMissingBinaryFailsEveryCase() async throws {
        let broken = SuiteRunner(options: RunOptions(gahp: ["/nonexistent/gahp"], filter: "handshake/greeting"))
        let (summary, lines) = try await run(broken, [Self.casesFolder])
        #expect(summary.failed == 1)
        #expect(lines.first?.contains("cannot start /nonexistent/gahp") == true)
    }

    @Test func writingToAGahpThatExitedDoesNotKillTheRunner() async throws {
        let folder = try TemporaryDirectory(prefix: "conformance-epipe")
        try folder.write("README.md", "cases root")
        try folder.write("runner/epipe.gahp", """
            covers §2.1.5
            args -f -M 2
            expect-exit 1
            send-repeat 'A' 1000000
            send VERSION
            expect-eof
            """)
        let (summary, _) = try await run(runner(), [folder.path])
        #expect(summary == SuiteRunner.Summary(passed: 1, failed: 0, skipped: 0))
    }

    @Test func everyCaseParsesAndCitesStatementsOfTheSpec() throws {
        let spec = try String(contentsOfFile: Self.spec, encoding: .utf8)
        let statements = Set(spec.split(separator: "\n").compactMap { line -> String? in
            let first = line.split(separator: " ").first.map(String.init) ?? ""
            return first.range(of: #"^\d+\.\d+\.\d+[a-z]?$"#, options: .regularExpression) != nil ? "§" + first : nil
        })
        #expect(statements.count > 100)
        let files = try runner().discover([Self.casesFolder])
        #expect(files.count > 100)
        var cited: Set<String> = []
        for file in files {
            let transcript = try TranscriptParser.parse(String(contentsOfFile: file.path, encoding: .utf8), name: file.name)
            // Section references (§10, §11) cite a whole section.
            for reference in transcript.covers where reference.split(separator: ".").count == 3 {
                #expect(statements.contains(reference), "\(file.name) cites \(reference), which the spec does not define")
                cited.insert(reference)
            }
        }
        #expect(cited.count > 80)
    }
}

private final class LinesSink: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) {
        lock.lock()
        lines.append(line)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
