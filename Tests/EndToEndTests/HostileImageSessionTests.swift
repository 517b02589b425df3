import Foundation
import GAHPWire
import TestSupport
import Testing

/// The hostile-image corpus through the built `condor_vm-gahp` (libvirt's test driver, no
/// daemon): each image is refused with `VMGAHP_ERR_BAD_IMAGE` by `explain-ad` and by START
/// over pipes, and the host file the images name is left as it was.
@Suite struct HostileImageSessionTests {
    let work: TemporaryDirectory
    let hostDirectory: TemporaryDirectory

    init() throws {
        work = try TemporaryDirectory(prefix: "hostile-image-work")
        hostDirectory = try TemporaryDirectory(prefix: "hostile-image-host")
    }

    private func environment() -> [String: String] {
        [
            "CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "1024", "_CONDOR_VM_LIBVIRT_URI": "test:///default",
            "VMGAHP_VMTYPE": "kvm", "VMGAHP_WORKING_DIR": work.path, "VMGAHP_USER_UID": "65534", "PATH": "/usr/bin:/bin",
        ]
    }

    /// kvm-basic with its disk list naming only `file` (declared `format`).
    private func ad(_ file: String, _ format: String?) throws -> [String] {
        try JobAdFixture.lines("kvm-basic", workingDirectory: work.path).map { line in
            line.hasPrefix("VMPARAM_vm_Disk") ? "VMPARAM_vm_Disk = \"\(file):vda:w\(format.map { ":" + $0 } ?? "")\"" : line
        }
    }

    @Test func everyHostileImageIsABadImageThroughTheBinary() async throws {
        if let reason = TestImages.qemuImgMissing { Issue.record(Comment(rawValue: reason)); return }
        let secret = try hostDirectory.write("secret", "host secret\n")
        chmod(secret, 0o600)
        let before = try Data(contentsOf: URL(fileURLWithPath: secret))
        let corpus = try TestImages.makeHostileCorpus(in: work.path, secret: secret)
        let binary = TestPaths.product("condor_vm-gahp")
        for (name, declared, _) in corpus {
            let lines = try ad(name, declared)
            let adFile = try work.write("job.ad", lines.joined(separator: "\n"))
            let explain = try GahpProcess(executable: binary, arguments: ["explain-ad", "--json", adFile], environment: environment())
            #expect(await explain.exitStatus() == 0)
            var text = ""
            while let line = await explain.next() { text += line + "\n" }
            #expect(text.contains("VMGAHP_ERR_BAD_IMAGE"), "explain-ad \(name): \(text.suffix(300))")

            let gahp = try GahpProcess(executable: binary, arguments: ["-f", "-M", "3"], environment: environment())
            #expect(await gahp.next() == GAHPVersion.banner)
            #expect(await gahp.request("ASYNC_MODE_ON") == "S")
            #expect(await gahp.request("CLASSAD") == "S")
            for line in lines { gahp.send(line) }
            #expect(await gahp.request("CLASSAD_END") == "S")
            #expect(await gahp.request("CONDOR_VM_START 2 kvm") == "S")
            #expect(await gahp.results() == ["2 1 VMGAHP_ERR_BAD_IMAGE"], "START \(name)")
            #expect(await gahp.request("QUIT") == "S")
            #expect(await gahp.exitStatus() == 0)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: secret)) == before)
        var info = stat()
        #expect(lstat(secret, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }
}
