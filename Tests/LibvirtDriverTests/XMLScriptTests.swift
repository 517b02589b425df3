import Foundation
import Testing
import VMCore

@testable import LibvirtDriver

/// `LIBVIRT_XML_SCRIPT` as HTCondor runs it.
@Suite struct XMLScriptTests {
    /// Writes an executable shell script; the script is our fixture, not an ad value.
    private func script(_ directory: JobDirectory, _ body: String) throws -> String {
        let path = try directory.directory.write("gen-\(UInt32.random(in: 0...UInt32.max)).sh", "#!/bin/sh\n" + body + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test func theScriptsXMLIsUsedAndGetsTheAdOnStdin() async throws {
        let directory = try JobDirectory()
        var job = directory.job()
        job.adLines = ["JobVMType = \"kvm\"", "JobVMMemory = 64"]
        let seen = directory.file("stdin.txt")
        let path = try script(directory, """
            cat > "$2"
            echo "<domain type='kvm'><name>\(job.name)</name>"
            echo "<memory unit='KiB'>32768</memory><os><type>hvm</type></os></domain>"
            """)
        let driver = TestHost.driver(settings: ["LIBVIRT_XML_SCRIPT": path, "LIBVIRT_XML_SCRIPT_ARGS": "/dev/null \(seen)"])
        let vm = try await driver.start(job)
        #expect(try await vm.status().memoryKiB == 32768, "the script's memory, not the job's 64 MiB")
        let input = try String(contentsOfFile: seen, encoding: .utf8)
        #expect(input.contains("JobVMMemory = 64\n"))
        #expect(input.contains("VMPARAM_VM_NAME = \"\(job.name)\"\n"))
        #expect(input.contains("VM_WORKING_DIR = \"\(directory.path)\"\n"))
        #expect(input.contains("VMPARAM_Xen_Bootloader = \"\"\n"))
        #expect(input.contains("JobVMNetworkingType = \"\"\n"))
        await vm.tearDown()
    }

    @Test(arguments: ["exit 3", "exec sleep 30", ""])
    func aFailingSilentOrHungScriptFallsBackToTheBuiltInXML(body: String) async throws {
        let directory = try JobDirectory()
        let path = try script(directory, body)
        let driver = TestHost.driver(settings: ["LIBVIRT_XML_SCRIPT": path, "VM_GAHP_XML_SCRIPT_TIMEOUT": "1"])
        let clock = ContinuousClock()
        let started = clock.now
        let vm = try await driver.start(directory.job())
        // The hung script sleeps 30 s: finishing before that shows the 1 s limit cut it off,
        // with room for a loaded two-core host.
        #expect(clock.now - started < .seconds(29))
        #expect(try await vm.status().memoryKiB == 64 * 1024)
        await vm.tearDown()
    }

    @Test func aMissingScriptMeansTheBuiltInXML() async throws {
        let directory = try JobDirectory()
        let driver = TestHost.driver(settings: ["LIBVIRT_XML_SCRIPT": directory.file("libvirt_simple_script.awk")])
        let vm = try await driver.start(directory.job())
        #expect(try await vm.status().state == .running)
        await vm.tearDown()
    }

    @Test func badXMLFromTheScriptIsTheJobsMistake() async throws {
        let directory = try JobDirectory()
        let path = try script(directory, "echo \"<domain type='kvm'><name>x</name>\"")
        let driver = TestHost.driver(settings: ["LIBVIRT_XML_SCRIPT": path])
        await #expect { try await driver.start(directory.job()) } throws: { ($0 as? VMGAHPError)?.code == .badImage }
    }

    @Test func argumentsSplitLikeHTCondor() {
        #expect(XMLScript.splitArguments("  /tmp/debug.log  -v ") == ["/tmp/debug.log", "-v"])
        #expect(XMLScript.splitArguments(#""'a b' c '''d'''""#) == ["a b", "c", "'d'"])
        #expect(XMLScript.splitArguments("\"one 'it''s'\"") == ["one", "it's"])
    }
}
