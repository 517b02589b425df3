import Foundation
import Testing
import VMCore
@testable import JobAd

@Suite struct ExplainAdTests {
    let space: Workspace
    let fixture: AdFixture

    init() throws {
        space = try Workspace()
        try space.file("disk.img")
        fixture = try AdFixture(corpus: "kvm-nat-2cpu", in: space)
    }

    /// The ad as a file would hold it: CRLF line ends, a blank line, extra values of every type.
    var adText: String {
        (fixture.lines + ["L = {1, 2.5, \"x\"}", "N = [a = 1; b = \"q\"]", "U = undefined", "E = 1/0", "R = 1.5", "Bad line"])
            .joined(separator: "\r\n") + "\r\n\n"
    }

    static func xml(_ job: JobDescription) -> String? { "<domain>\n<name>\(job.name)</name>\n</domain>" }

    func jsonLines(_ output: String) throws -> [[String: Any]] {
        try output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test func jsonGivesAttributesErrorsJobAndDriver() throws {
        let objects = try jsonLines(ExplainAd.render(adText: adText, json: true, gahpType: nil, policy: .testHost, driverRendering: Self.xml))
        let attributes = objects.filter { $0["name"] != nil }
        #expect(attributes.count == fixture.lines.count + 5)
        func attribute(_ name: String) -> [String: Any]? { attributes.first { $0["name"] as? String == name } }
        #expect(attribute("JobVMMemory")?["type"] as? String == "integer")
        #expect((attribute("JobVMMemory")?["value"] as? NSNumber)?.intValue == 1024)
        #expect(attribute("RequestMemory")?["old"] as? String == "MY.JobVMMemory")
        #expect((attribute("RequestMemory")?["value"] as? NSNumber)?.intValue == 1024)
        #expect(attribute("JobVMNetworking")?["type"] as? String == "boolean")
        #expect(attribute("User")?["value"] as? String == "alice@submit.example.org")
        #expect(attribute("R")?["type"] as? String == "real")
        #expect((attribute("R")?["value"] as? NSNumber)?.doubleValue == 1.5)
        #expect(attribute("L")?["type"] as? String == "list")
        #expect((attribute("L")?["value"] as? [Any])?.count == 3)
        #expect(attribute("N")?["type"] as? String == "classad")
        #expect((attribute("N")?["value"] as? [String: Any])?["b"] as? String == "q")
        #expect(attribute("U")?["type"] as? String == "undefined")
        #expect(attribute("U")?["value"] is NSNull)
        #expect(attribute("E")?["type"] as? String == "error")

        let errors = objects.filter { $0["line"] != nil }
        #expect(errors.count == 1)
        #expect(errors.first?["line"] as? String == "Bad line")
        #expect(errors.first?["error"] is String)

        let job = try #require(objects.compactMap { $0["job"] as? [String: Any] }.first)
        #expect(job["name"] as? String == "alice_submit.example.org_4242.0")
        #expect((job["vcpus"] as? NSNumber)?.intValue == 2)
        #expect((job["networking"] as? [String: Any])?["mac"] as? String == "52:54:00:12:34:56")
        let disks = try #require(job["disks"] as? [[String: Any]])
        #expect(disks.first?["path"] as? String == space.workingDirectory + "/disk.img")
        #expect(job["xen"] is NSNull)

        #expect(objects.last?["driver"] as? String == "<domain>\n<name>alice_submit.example.org_4242.0</name>\n</domain>")
        #expect(objects.filter { $0["refused"] != nil }.isEmpty)
    }

    @Test func jsonGivesTheRefusalAndNoDriver() throws {
        var called = false
        let output = ExplainAd.render(adText: adText, json: true, gahpType: "xen", policy: .testHost) { _ in
            called = true
            return "never"
        }
        let objects = try jsonLines(output)
        let refused = try #require(objects.last?["refused"] as? [String: Any])
        #expect(refused["token"] as? String == "VMGAHP_ERR_NO_SUPPORTED_VM_TYPE")
        #expect((refused["message"] as? String)?.isEmpty == false)
        #expect(!called)
        #expect(objects.filter { $0["driver"] != nil || $0["job"] != nil }.isEmpty)
    }

    @Test func jsonIsValidForHostileText() throws {
        let hostile = [
            "Quote = \"a\\\"b\\c</x>&'\"",
            "Control = \"esc\u{1b}[2J tab\t nel\u{85} ls\u{2028} del\u{7f} bell\u{7}\"",
            String(decoding: Array("Bytes = \"".utf8) + [0xFF, 0xC3, 0x28] + Array("\"".utf8), as: UTF8.self),
            "NaN = real(\"NaN\")",
            "Inf = real(\"INF\")",
            "\u{1}garbage \"",
            "Huge = \"" + String(repeating: "x", count: 1 << 20) + "\"",
        ]
        let output = ExplainAd.render(adText: hostile.joined(separator: "\n"), json: true, gahpType: nil, policy: .testHost) { _ in nil }
        let objects = try jsonLines(output)
        #expect(objects.count == hostile.count + 1)
        #expect(objects.first { $0["name"] as? String == "Quote" }?["value"] as? String == "a\"b\\c</x>&'")
        #expect((objects.first { $0["name"] as? String == "Control" }?["value"] as? String)?.contains("\u{1b}") == true)
        #expect(objects.first { $0["name"] as? String == "NaN" }?["type"] as? String == "real")
        #expect((objects.first { $0["name"] as? String == "Huge" }?["value"] as? String)?.count == 1 << 20)
        #expect((objects.last?["refused"] as? [String: Any])?["token"] as? String == "VMGAHP_ERR_NO_JOBCLASSAD_INFO")
    }

    @Test func textShowsEverySectionForHumans() {
        let output = ExplainAd.render(adText: adText, json: false, gahpType: "kvm", policy: .testHost, driverRendering: Self.xml)
        #expect(output.contains("  RequestMemory = MY.JobVMMemory  =>  integer 1024\n"))
        #expect(output.contains("Lines that do not parse (1):\n  Bad line"))
        #expect(output.contains("Job description:\n  vmType: \"kvm\"\n  name: \"alice_submit.example.org_4242.0\"\n"))
        #expect(output.contains("  disks:\n    - {\"path\":\"\(space.workingDirectory)/disk.img\""))
        #expect(output.hasSuffix("Driver rendering:\n  <domain>\n  <name>alice_submit.example.org_4242.0</name>\n  </domain>\n"))
    }

    @Test func textShowsTheRefusalAndEscapesControlCharacters() {
        let text = fixture.setting("JobVMMemory", "99999").lines.joined(separator: "\n") + "\nEvil = \"\u{1b}[2Jgone\r\""
        let output = ExplainAd.render(adText: text, json: false, gahpType: nil, policy: .testHost, driverRendering: Self.xml)
        #expect(output.contains(
            "Refused: VMGAHP_ERR_JOBCLASSAD_NO_VM_MEMORY_PARAM\n  job fault: the starter holds the job\n"
                + "  found: VMGAHP_ERR_JOBCLASSAD_TOO_MUCH_MEMORY_REQUEST\n  the job asks for 99999 MiB"))
        #expect(!output.contains("Driver rendering"))
        #expect(output.contains("\\u{1b}[2Jgone"))
        #expect(!output.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }
}
