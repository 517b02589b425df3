import Foundation
import HTCondorConfig
import TestSupport
import Testing

/// `knobsTheGahpReads` is what the differential test compares with HTCondor, so a knob the
/// sources read but the list forgets would escape the comparison.
@Suite struct KnobListTests {
    /// Knobs only the in-memory test driver reads.
    static let testOnly: Set<String> = ["VMGAHP_FAKE_FAIL", "VMGAHP_FAKE_HANG", "VMGAHP_FAKE_DELAY_MS", "VMGAHP_FAKE_POWEROFF_AFTER"]

    @Test func everyKnobReadInTheSourcesIsListed() throws {
        let sources = TestPaths.packageRoot.appendingPathComponent("Sources")
        let pattern = try Regex(#"\b(value|bool|integer|list|flag|seconds|byteCount|expanded|expandedList)\("([A-Z][A-Z0-9_]+)""#)
        var read: Set<String> = []
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let name = match.output[2].substring { read.insert(String(name)) }
            }
        }
        #expect(read.contains("VM_MEMORY"), "the scan finds the knobs")
        let missing = read.subtracting(HTCondorConfig.knobsTheGahpReads).subtracting(Self.testOnly)
        #expect(missing.isEmpty, "read in Sources/ but not in HTCondorConfig.knobsTheGahpReads: \(missing.sorted())")
    }
}
