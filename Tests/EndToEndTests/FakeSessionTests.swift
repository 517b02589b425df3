import Foundation
import GAHPWire
import Testing
import TestSupport

/// The built `vm-gahp-fake` binary, driven over pipes exactly as HTCondor's starter drives
/// `condor_vm-gahp`: CRLF line ends, the handshake, the whole job ad, START, STATUS, STOP, QUIT.
@Suite struct FakeSessionTests {
    let work: TemporaryDirectory

    init() throws { work = try TemporaryDirectory(prefix: "fake-session") }

    private func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = [
            "CONDOR_CONFIG": "ONLY_ENV",
            "_CONDOR_VM_MEMORY": "1024",
            "_CONDOR_VM_GAHP_LOG": work.url.appendingPathComponent("VMGahpLog").path,
            "_CONDOR_VM_GAHP_DEBUG": "D_FULLDEBUG",
            "VMGAHP_VMTYPE": "kvm",
            "VMGAHP_WORKING_DIR": work.path,
            "VMGAHP_USER_UID": "65534",
            "PATH": "/usr/bin:/bin",
        ]
        env.merge(extra) { $1 }
        // An empty override means "not set at all".
        return env.filter { !$0.value.isEmpty }
    }

    private func launch(_ arguments: [String] = ["-f", "-M", "3"], env: [String: String] = [:]) throws -> GahpProcess {
        try GahpProcess(executable: TestPaths.product("vm-gahp-fake"), arguments: arguments, environment: environment(env))
    }

    /// Sends the corpus's kvm-basic ad as the starter does, then `CONDOR_VM_START 2 kvm`;
    /// returns the START's result lines.
    private func startKVMBasic(_ gahp: GahpProcess) async throws -> [String] {
        #expect(await gahp.request("CLASSAD") == "S")
        for line in try JobAdFixture.lines("kvm-basic", workingDirectory: work.path) { gahp.send(line) }
        #expect(await gahp.request("CLASSAD_END") == "S")
        #expect(await gahp.request("CONDOR_VM_START 2 kvm") == "S")
        return await gahp.results()
    }

    @Test func starterSessionOverPipes() async throws {
        try TestImages.writeQcow2(work.url.appendingPathComponent("disk.qcow2").path)
        let gahp = try launch()
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(await gahp.request("COMMANDS")?.hasPrefix("S ASYNC_MODE_ON ASYNC_MODE_OFF CONDOR_VM_START") == true)
        #expect(await gahp.request("SUPPORT_VMS") == "S xen kvm")
        #expect(await gahp.request("ASYNC_MODE_ON") == "S")
        #expect(try await startKVMBasic(gahp) == ["2 0 1"])
        #expect(await gahp.request("CONDOR_VM_GETPID 3 1") == "S")
        #expect(await gahp.results() == ["3 0 4001"])
        #expect(await gahp.request("CONDOR_VM_STATUS 4 1") == "S")
        let status = await gahp.results()
        #expect(status.first?.hasPrefix("4 0 STATUS=Running CPUUTILIZATION=") == true)
        #expect(status.first?.contains("MEMORY=524288 MAXMEMORY=524288 PID=4001") == true)
        #expect(await gahp.request("CONDOR_VM_STOP 5 1") == "S")
        #expect(await gahp.results() == ["5 0 NULL"])
        #expect(await gahp.request("CONDOR_VM_STATUS 6 1") == "S")
        #expect(await gahp.results() == ["6 0 STATUS=Stopped"])
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
        #expect(await gahp.next() == nil)
        let log = try String(contentsOf: work.url.appendingPathComponent("VMGahpLog"), encoding: .utf8)
        #expect(log.contains("<- 'CONDOR_VM_START 2 kvm'"))
        #expect(log.contains("-> '2 0 1'"))
    }

    @Test func badDiskInTheAdIsAJobError() async throws {
        let gahp = try launch()
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(try await startKVMBasic(gahp) == ["2 1 VMGAHP_ERR_JOBCLASSAD_KVM_INVALID_DISK_PARAM"])
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func endOfInputTearsDownAndExitsZero() async throws {
        try TestImages.writeQcow2(work.url.appendingPathComponent("disk.qcow2").path)
        let gahp = try launch(["-f", "-t", "-M", "3"])
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(try await startKVMBasic(gahp) == ["2 0 1"])
        gahp.closeInput()
        #expect(await gahp.exitStatus() == 0)
        #expect(await gahp.next() == nil)
        #expect(gahp.standardError.contains("Request buffer closed, exiting"))
    }

    @Test func sigtermTearsDownAndExitsZero() async throws {
        let gahp = try launch()
        #expect(await gahp.next() == GAHPVersion.banner)
        gahp.process.terminate()
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func hungDriverCallFailsAfterTheDeadlineWhileVersionAnswers() async throws {
        try TestImages.writeQcow2(work.url.appendingPathComponent("disk.qcow2").path)
        let gahp = try launch(env: ["VMGAHP_FAKE_HANG": "status", "_CONDOR_VM_GAHP_REQ_TIMEOUT": "3"])
        #expect(await gahp.next() == GAHPVersion.banner)
        #expect(try await startKVMBasic(gahp) == ["2 0 1"])
        let clock = ContinuousClock()
        let sent = clock.now
        #expect(await gahp.request("CONDOR_VM_STATUS 3 1") == "S")
        // Read raw: a reader stuck behind the hung call would answer only after the
        // deadline's `R`, so the reply coming first is the proof, whatever the host's load.
        gahp.send("VERSION")
        #expect(await gahp.next() == "S " + GAHPVersion.banner)
        #expect(await gahp.results() == ["3 1 VMGAHP_ERR_INTERNAL"])
        #expect(clock.now - sent >= .seconds(3))
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func usageErrorsExitOneWithNothingOnStdout() async throws {
        for arguments in [["-M"], ["-M", "2"], ["-M", "5"], ["-M", "0"], ["-M", "4", "vmtype", "kvm"], ["-x"], []] {
            let gahp = try launch(arguments)
            #expect(await gahp.exitStatus() == 1, "\(arguments)")
            #expect(await gahp.next() == nil)
            #expect(gahp.standardError.contains("Usage:"))
        }
    }

    @Test func missingMemoryKnobStopsTheServerBeforeTheGreeting() async throws {
        let gahp = try launch(env: ["_CONDOR_VM_MEMORY": ""])
        #expect(await gahp.exitStatus() == 1)
        #expect(await gahp.next() == nil)
        #expect(gahp.standardError.contains("VM_MEMORY"))
    }

    @Test func probePrintsTheMachineAttributes() async throws {
        let gahp = try launch(["-f", "-M", "0", "vmtype", "kvm"], env: [
            "_CONDOR_VM_NETWORKING": "true", "_CONDOR_VM_NETWORKING_TYPE": "nat, bridge",
        ])
        #expect(await gahp.exitStatus() == 0)
        var lines: [String] = []
        while let line = await gahp.next() { lines.append(line) }
        #expect(lines == [
            "VM_GAHP_VERSION = \"\(GAHPVersion.number)\"", "VM_Type = \"kvm\"", "VM_Memory = 1024",
            "VM_Networking = TRUE", "VM_Networking_Types = \"nat,bridge\"",
        ])
    }

    @Test func killModeExitsZeroAndPrintsNothing() async throws {
        let gahp = try launch(["-f", "-M", "4", "vmtype", "kvm", "match", "alice_1.0"])
        #expect(await gahp.exitStatus() == 0)
        #expect(await gahp.next() == nil)
    }

    @Test func sighupRereadsTheConfiguration() async throws {
        try TestImages.writeQcow2(work.url.appendingPathComponent("disk.qcow2").path)
        let config = try work.write("condor_config", "VM_MEMORY = 1024\n")
        let gahp = try launch(["-f", "-t", "-M", "3"], env: ["CONDOR_CONFIG": config, "_CONDOR_VM_MEMORY": ""])
        #expect(await gahp.next() == GAHPVersion.banner)
        try work.write("condor_config", "VM_MEMORY = 256\n")
        kill(gahp.process.processIdentifier, SIGHUP)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while !gahp.standardError.contains("Configuration re-read"), clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(gahp.standardError.contains("Configuration re-read"))
        // kvm-basic asks for 512 MiB, now more than VM_MEMORY allows.
        #expect(try await startKVMBasic(gahp) == ["2 1 VMGAHP_ERR_JOBCLASSAD_NO_VM_MEMORY_PARAM"])
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func explainAdShowsTheJobAndTheDriverRendering() async throws {
        try TestImages.writeQcow2(work.url.appendingPathComponent("disk.qcow2").path)
        let ad = try work.write("job.ad", try JobAdFixture.lines("kvm-basic", workingDirectory: work.path).joined(separator: "\n"))
        let gahp = try launch(["explain-ad", ad])
        #expect(await gahp.exitStatus() == 0)
        var text = ""
        while let line = await gahp.next() { text += line + "\n" }
        #expect(text.contains("JobVMMemory"))
        #expect(text.contains("fake VM alice_submit.example.org_4242.0: 512 MiB"))
    }
}
