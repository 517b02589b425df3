import Foundation
import GAHPWire
import Testing
import TestSupport

/// The built `condor_vm-gahp`, spawned as the starter spawns it with `vm_type = vmware`, the
/// corpus ad `vmware-transfer`, the real control script and the simulator first in PATH.
/// The script runs as the job user (uid 65534) when the tests run as root, as in production.
@Suite struct ProtocolSessionTests {
    static let jobUser: UInt32 = 65534

    /// As root, and where the job user can reach the script and the simulator (a checkout
    /// under a private home directory cannot be), the script runs as uid 65534.
    static let asJobUser: Bool = {
        guard geteuid() == 0 else { return false }
        var path = TestPaths.packageRoot.path
        while path.count > 1 {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & 0o001 != 0 else {
                print("ProtocolSessionTests: \(path) is not searchable by others; the script runs as root, not as the job user")
                return false
            }
            path = (path as NSString).deletingLastPathComponent
        }
        return true
    }()
    var asJobUser: Bool { Self.asJobUser }

    func host(product: String = "ws") throws -> SimulatedHost {
        try SimulatedHost(product: product, owner: asJobUser ? Self.jobUser : nil)
    }

    func environment(_ host: SimulatedHost, _ extra: [String: String] = [:]) -> [String: String] {
        var env = [
            "CONDOR_CONFIG": "ONLY_ENV", "_CONDOR_VM_MEMORY": "1024",
            "_CONDOR_VM_GAHP_LOG": host.root.path + "/VMGahpLog", "_CONDOR_VM_GAHP_DEBUG": "D_FULLDEBUG",
            "VMGAHP_VMTYPE": "vmware", "VMGAHP_WORKING_DIR": host.job,
        ]
        if asJobUser { env["VMGAHP_USER_UID"] = String(Self.jobUser) }
        env.merge(host.environment) { $1 }
        env.merge(host.configuration()) { $1 }
        env.merge(extra) { $1 }
        return env.filter { !$0.value.isEmpty }
    }

    func launch(_ host: SimulatedHost, _ extra: [String: String] = [:], arguments: [String] = ["-f", "-M", "3"]) throws -> GahpProcess {
        try GahpProcess(executable: TestPaths.product("condor_vm-gahp"), arguments: arguments, environment: environment(host, extra))
    }

    /// Sends the ad (with `extra` lines) and START; returns START's result lines.
    func start(_ gahp: GahpProcess, _ host: SimulatedHost, _ extra: [String] = []) async throws -> [String] {
        #expect(await gahp.request("CLASSAD") == "S")
        for line in try host.adLines(extra) { gahp.send(line) }
        #expect(await gahp.request("CLASSAD_END") == "S")
        #expect(await gahp.request("CONDOR_VM_START 2 vmware") == "S")
        return await gahp.results()
    }

    func request(_ gahp: GahpProcess, _ line: String) async -> [String] {
        #expect(await gahp.request(line) == "S")
        return await gahp.results()
    }

    @Test func fullLifecycleOverTheProtocol() async throws {
        let host = try host()
        let gahp = try launch(host)
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(await gahp.request("SUPPORT_VMS")?.split(separator: " ").contains("vmware") == true)
        #expect(await gahp.request("ASYNC_MODE_ON") == "S")

        // START takes the snapshot first, then powers on.
        #expect(try await start(gahp, host, ["JobVMCheckpoint = true"]) == ["2 0 1"])
        let vmx = try #require(host.generatedVMX)
        #expect(host.operations() == ["snapshot", "start"])
        #expect(host.vm(vmx)?["snapshots"] == "condor-snapshot")
        let pid = try #require(host.vmxPid)
        if asJobUser {
            var info = stat()
            #expect(stat(vmx, &info) == 0 && info.st_uid == Self.jobUser && info.st_mode & 0o777 == 0o600)
            #expect(try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8).contains("Uid:\t\(Self.jobUser)\t"))
        }
        #expect(await request(gahp, "CONDOR_VM_GETPID 3 1") == ["3 0 \(pid)"])
        let status = await request(gahp, "CONDOR_VM_STATUS 4 1")
        #expect(status.first?.hasPrefix("4 0 STATUS=Running") == true && status.first?.contains("PID=\(pid)") == true, "\(status)")

        #expect(await request(gahp, "CONDOR_VM_SOFT_SUSPEND 5 1") == ["5 0 NULL"])
        #expect(await SimulatedHost.waitForState(pid, "T"))
        #expect(await request(gahp, "CONDOR_VM_STATUS 6 1") == ["6 0 STATUS=SoftSuspended"])
        #expect(await request(gahp, "CONDOR_VM_RESUME 7 1") == ["7 0 NULL"])
        #expect(await SimulatedHost.waitForState(pid, "S", "R"))
        #expect(host.vm(vmx)?["power"] == "on")

        #expect(await request(gahp, "CONDOR_VM_SUSPEND 8 1") == ["8 0 NULL"])
        #expect(host.vm(vmx)?["power"] == "suspended")
        #expect(await SimulatedHost.waitUntilGone(pid))
        #expect(await request(gahp, "CONDOR_VM_STATUS 9 1") == ["9 0 STATUS=Suspended"])
        #expect(await request(gahp, "CONDOR_VM_RESUME 10 1") == ["10 0 NULL"])
        let resumed = try #require(host.vmxPid)
        #expect(resumed != pid && host.vm(vmx)?["power"] == "on" && SimulatedHost.processState(resumed) != nil)

        #expect(await request(gahp, "CONDOR_VM_CHECKPOINT 11 1") == ["11 0 NULL"])
        #expect(host.vm(vmx)?["power"] == "suspended")
        #expect(FileManager.default.fileExists(atPath: vmx.replacingOccurrences(of: ".vmx", with: ".vmss")))
        #expect(await SimulatedHost.waitUntilGone(resumed))

        #expect(await request(gahp, "CONDOR_VM_STOP 12 1") == ["12 0 NULL"])
        #expect(host.vm(vmx)?["power"] != "on")
        #expect(await request(gahp, "CONDOR_VM_STATUS 13 1") == ["13 0 STATUS=Stopped"])
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
        #expect(host.records().allSatisfy { $0["power"] != "on" })
        #expect(await host.waitUntilNothingRuns() == [])
        // The job's own files are untouched.
        #expect(try String(contentsOfFile: host.job + "/winxp.vmx", encoding: .utf8) == SimulatedHost.vmx)
    }

    @Test func quitTearsDownARunningVM() async throws {
        let host = try host()
        let gahp = try launch(host)
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(try await start(gahp, host, ["VMPARAM_VMware_SnapshotDisk = false"]) == ["2 0 1"])
        let pid = try #require(host.vmxPid)
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
        #expect(await SimulatedHost.waitUntilGone(pid))
        #expect(host.operations() == ["start", "stop"])
    }

    @Test func vmrunFailingOrHangingIsAnErrorResultWithNothingLeft() async throws {
        let host = try host()
        try host.fail("start", "Unable to change virtual machine power state")
        var gahp = try launch(host)
        #expect(await gahp.next() == GAHPVersion.banner)
        let failed = try await start(gahp, host)
        // A host fault: a non-hold token on the wire, the script's words in VM_GAHP_LOG.
        #expect(failed == ["2 1 VMGAHP_ERR_INTERNAL"], "\(failed)")
        #expect(try String(contentsOfFile: host.root.path + "/VMGahpLog", encoding: .utf8).contains("Unable to change virtual machine power state"))
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)

        try FileManager.default.removeItem(atPath: host.state + "/fail/start")
        try host.hang("start")
        gahp = try launch(host, ["_CONDOR_VMWARE_SCRIPT_TIMEOUT": "3"])
        #expect(await gahp.next() == GAHPVersion.banner)
        let hung = try await start(gahp, host)
        #expect(hung == ["2 1 VMGAHP_ERR_INTERNAL"], "\(hung)")
        #expect(try String(contentsOfFile: host.root.path + "/VMGahpLog", encoding: .utf8).contains("did not finish within"))
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
        #expect(host.records().allSatisfy { $0["power"] != "on" })
        #expect(await host.waitUntilNothingRuns() == [], "a script, vmrun or vmware-vmx outlived the gahp")
    }

    @Test func hostileNamesInTheAdAreRefusedBeforeVMwareIsAsked() async throws {
        let host = try host()
        for (attribute, value) in [("VMPARAM_VMware_VMX_File", "\"../../../../etc/shadow\""), ("VMPARAM_VMware_VMX_File", "\"winxp.vmx\\nmemsize = 1\""),
                                   ("VMPARAM_VMware_VMDK_Files", "\"winxp.vmdk,/etc/shadow\""), ("User", "\"alice;rm -rf /@x\"")] {
            let gahp = try launch(host)
            #expect(await gahp.next() == GAHPVersion.banner)
            let result = try await start(gahp, host, ["\(attribute) = \(value)"])
            #expect(result.first?.hasPrefix("2 1 VMGAHP_ERR_") == true, "\(attribute): \(result)")
            #expect(await gahp.request("QUIT") == "S")
            #expect(await gahp.exitStatus() == 0)
        }
        #expect(host.operations().isEmpty && host.generatedVMX == nil)
    }

    @Test func hostileFilesAreHeldJobErrors() async throws {
        let host = try host()
        try "scsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"/etc/shadow\"\n".write(toFile: host.job + "/winxp.vmx", atomically: false, encoding: .utf8)
        let gahp = try launch(host)
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(try await start(gahp, host) == ["2 1 VMGAHP_ERR_BAD_IMAGE"])
        #expect(host.operations().isEmpty)
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
        let log = try String(contentsOfFile: host.root.path + "/VMGahpLog", encoding: .utf8)
        #expect(log.contains("/etc/shadow"))
    }

    @Test func malformedScriptOutputIsAnErrorResult() async throws {
        let host = try host()
        let fake = try host.root.write("fake_vmware.pl", "print \"STATUS=Running; rm -rf /\\nPID=1 2\\n\"; print \"garbage line\\n\"; exit 0;\n")
        chmod(fake, 0o644)
        let gahp = try launch(host, ["_CONDOR_VMWARE_SCRIPT": fake])
        #expect(await gahp.next() == GAHPVersion.banner)
        let result = try await start(gahp, host, ["VMPARAM_VMware_SnapshotDisk = false"])
        #expect(result == ["2 1 VMGAHP_ERR_INTERNAL"], "\(result)")
        #expect(try String(contentsOfFile: host.root.path + "/VMGahpLog", encoding: .utf8).contains("KEY=VALUE"))
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func anUnusableScriptKeepsVMwareOffTheHost() async throws {
        let host = try host()
        let copy = try host.root.write("condor_vm_vmware", try String(contentsOfFile: SimulatedHost.script, encoding: .utf8))
        chmod(copy, 0o646)
        for script in [host.root.path + "/missing", copy] {
            let gahp = try launch(host, ["_CONDOR_VMWARE_SCRIPT": script])
            #expect(await gahp.exitStatus() == 1)
            #expect(gahp.standardError.contains("VMWARE_SCRIPT"), "\(gahp.standardError)")
            let probe = try launch(host, ["_CONDOR_VMWARE_SCRIPT": script], arguments: ["-M", "0", "vmtype", "vmware"])
            #expect(await probe.next() == nil)
            #expect(await probe.exitStatus() == 1)
        }
        // The script turning world-writable after start-up: START refuses to run it.
        chmod(copy, 0o644)
        let gahp = try launch(host, ["_CONDOR_VMWARE_SCRIPT": copy])
        #expect(await gahp.next() == GAHPVersion.banner)
        chmod(copy, 0o666)
        let result = try await start(gahp, host)
        #expect(result == ["2 1 VMGAHP_ERR_CRITICAL"], "\(result)")
        #expect(try String(contentsOfFile: host.root.path + "/VMGahpLog", encoding: .utf8).contains("VMWARE_SCRIPT"))
        #expect(host.operations().isEmpty)
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func probeAndKillMode() async throws {
        let host = try host(product: "player")
        let probe = try launch(host, arguments: ["-M", "0", "vmtype", "vmware"])
        var lines: [String] = []
        while let line = await probe.next() { lines.append(line) }
        // The probe answers within the startd's 5 s or not at all; a starved test host may
        // miss that, which is the behaviour wanted, not a failure of the attributes.
        let status = await probe.exitStatus()
        if lines.isEmpty, probe.standardError.contains("did not answer within") {
            print("probeAndKillMode: the probe missed its deadline on this loaded host; attributes not checked")
        } else {
            #expect(lines == [
            "VM_GAHP_VERSION = \"\(GAHPVersion.number)\"", "VM_Type = \"vmware\"", "VM_Memory = 1024", "VM_Networking = FALSE",
            "VMware_Product = \"player\"", "VMware_Version = \"1.17.0 build-21139696\"", "VMware_Snapshots = FALSE",
            ])
            #expect(status == 0)
        }

        let cluster = Int.random(in: 100_000...999_999)
        let gahp = try launch(host)
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(try await start(gahp, host, ["VMPARAM_VMware_SnapshotDisk = false", "ClusterId = \(cluster)"]) == ["2 0 1"])
        let pid = try #require(host.vmxPid)
        let kill = try launch(host, arguments: ["-M", "4", "vmtype", "vmware", "match", "alice_submit.example.org_\(cluster).0"])
        #expect(await kill.exitStatus() == 0)
        #expect(await SimulatedHost.waitUntilGone(pid))
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
    }
}
