import Foundation
import GAHPWire
import Testing
import TestSupport

/// The interactive mode, driven through a pseudo-terminal as an admin drives it, checked on
/// what the screen shows. The gahp runs on libvirt's test hypervisor.
@Suite struct InteractiveTests {
    let work: TemporaryDirectory

    init() throws {
        work = try TemporaryDirectory(prefix: "interactive")
        try TestImages.writeQcow2(work.url.appendingPathComponent("disk.qcow2").path)
        try work.write("kvm-basic.ad", JobAdFixture.lines("kvm-basic", workingDirectory: work.path).joined(separator: "\n") + "\n")
    }

    private func environment() throws -> [String: String] {
        let config = try work.write("condor_config", """
            VM_TYPE = kvm
            VM_MEMORY = 1024
            VM_NETWORKING = false
            VM_LIBVIRT_URI = test:///default
            VM_GAHP_LOG = \(work.path)/VMGahpLog

            """)
        return ["CONDOR_CONFIG": config, "TERM": "xterm", "PATH": "/usr/bin:/bin", "VMGAHP_USER_UID": "65534"]
    }

    /// The gahp started as an admin starts it: no VMGAHP_VMTYPE, no VMGAHP_WORKING_DIR.
    private func launch(_ arguments: [String] = ["-f", "-M", "3"]) throws -> PseudoTerminal {
        try PseudoTerminal(
            executable: TestPaths.product("condor_vm-gahp"), arguments: arguments, environment: environment(),
            directory: work.path)
    }

    @Test func bannerHelpAndCommandsInAnyCase() async throws {
        let gahp = try launch()
        #expect(await gahp.waitFor("vm-gahp>"), "\(gahp.screen)")
        let screen = gahp.screen
        #expect(screen.contains("interactive session\n  VM type kvm, working directory \(work.path)\n"), "\(screen)")
        #expect(screen.contains("gahp: $VMGahpVersion 0.1.0 "))
        gahp.type("help\r")
        #expect(await gahp.waitFor("Line editing: arrows"), "\(gahp.screen)")
        #expect(gahp.screen.contains("\n  CONDOR_VM_STATUS [reqid] <vmid>         Reports the VM's state"))
        gahp.type("Help vm_status\r")
        #expect(await gahp.waitFor("On the wire: CONDOR_VM_STATUS <reqid> <vmid>"), "\(gahp.screen)")
        gahp.type("support_vms\r")
        #expect(await gahp.waitFor("VM types served: kvm"), "\(gahp.screen)")
        gahp.type("frobnicate\r")
        #expect(await gahp.waitFor("Unknown command 'frobnicate'. HELP lists the commands."), "\(gahp.screen)")
        gahp.type("quit\r")
        #expect(await gahp.exitStatus() == 0)
        #expect(gahp.screen.contains("Bye."))
    }

    @Test func aWholeLifecycleWithoutRequestIDsOrRESULTS() async throws {
        let gahp = try launch()
        #expect(await gahp.waitFor("vm-gahp>"))
        gahp.type("classad_file kvm-basic.ad\r")
        #expect(await gahp.waitFor("Job ad from kvm-basic.ad sent (71 lines). VM_START starts it."), "\(gahp.screen)")
        gahp.type("vm_start\r")
        #expect(await gahp.waitFor("[1] VM_START: VM 1 started."), "\(gahp.screen)")
        gahp.type("vm_status 1\r")
        #expect(await gahp.waitFor("[2] VM 1 is Running ("), "\(gahp.screen)")
        gahp.type("condor_vm_stop 1\r")
        #expect(await gahp.waitFor("[3] CONDOR_VM_STOP of VM 1: done"), "\(gahp.screen)")
        gahp.type("VM_STATUS 1\r")
        #expect(await gahp.waitFor("[4] VM 1 is Stopped"), "\(gahp.screen)")
        gahp.type("quit\r")
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func refusalsAreExplainedWithWhatTheStarterWouldDo() async throws {
        let gahp = try launch()
        #expect(await gahp.waitFor("vm-gahp>"))
        // A job's mistake: its disk is missing. The starter holds the job.
        try FileManager.default.removeItem(at: work.url.appendingPathComponent("disk.qcow2"))
        gahp.type("classad_file kvm-basic.ad\r")
        #expect(await gahp.waitFor("sent (71 lines)"))
        gahp.type("vm_start\r")
        #expect(await gahp.waitFor("[1] VM_START failed: VMGAHP_ERR_JOBCLASSAD_KVM_INVALID_DISK_PARAM\n    A KVM disk in vm_disk is malformed, missing or not open to the job user, or another ad value the VM is built from (User, ids) is unusable.\n    In a real job, the starter would put the job on hold (the job's fault)."), "\(gahp.screen)")
        // The request id and a VM id left out, and a command with a word too many.
        gahp.type("vm_stop\r")
        #expect(await gahp.waitFor("VM_STOP needs a VM id: VM_STOP <vmid>"), "\(gahp.screen)")
        gahp.type("version now\r")
        #expect(await gahp.waitFor("VERSION refused: wrong number of arguments. Usage: VERSION"), "\(gahp.screen)")
        gahp.type("vm_status 99\r")
        #expect(await gahp.waitFor("[2] VM 99 is Stopped"), "\(gahp.screen)")
        gahp.type("\u{4}")
        #expect(await gahp.waitFor("End of input: destroying this session's VMs and exiting."))
        #expect(await gahp.exitStatus() == 0)
    }

    @Test func aStartWithoutAJobAdIsTheHostsFault() async throws {
        let gahp = try launch()
        #expect(await gahp.waitFor("vm-gahp>"))
        gahp.type("vm_start kvm\r")
        #expect(await gahp.waitFor("[1] VM_START failed: VMGAHP_ERR_NO_JOBCLASSAD_INFO\n"), "\(gahp.screen)")
        #expect(await gahp.waitFor("take this host offline for VM jobs (HasVM = False)"), "\(gahp.screen)")
    }

    @Test func lineEditingAndHistory() async throws {
        let gahp = try launch()
        #expect(await gahp.waitFor("vm-gahp>"))
        // Typed with a mistake, mended at the start of the line.
        gahp.type("erzion\u{1}v\u{1B}[C\u{1B}[C\u{1B}[C\u{7F}s\r")
        #expect(await gahp.waitFor("vm-gahp> version\n$VMGahpVersion 0.1.0 "), "\(gahp.screen)")
        // Up brings it back; Ctrl-U drops it; Tab completes a command.
        gahp.type("\u{1B}[A")
        #expect(await gahp.waitForScreen { _ in TerminalScreen(gahp.output).currentLine == "vm-gahp> version" }, "\(gahp.screen)")
        gahp.type("\u{15}sup\t\r")
        #expect(await gahp.waitFor("vm-gahp> SUPPORT_VMS\nVM types served: kvm"), "\(gahp.screen)")
        // Ctrl-C drops the line being typed without ending the session.
        gahp.type("vm_stop 1\u{3}")
        #expect(await gahp.waitFor("vm-gahp> vm_stop 1^C\n"), "\(gahp.screen)")
        gahp.type("quit\r")
        #expect(await gahp.exitStatus() == 0)
        #expect(!gahp.screen.contains("[1] VM_STOP"))
    }

    @Test func aJobAdGivenOnTheCommandLine() async throws {
        let gahp = try launch(["--job-ad", "kvm-basic.ad"])
        #expect(await gahp.waitFor("Job ad from kvm-basic.ad sent (71 lines)."), "\(gahp.screen)")
        gahp.type("vm_start\r")
        #expect(await gahp.waitFor("[1] VM_START: VM 1 started."), "\(gahp.screen)")
        gahp.type("quit\r")
        #expect(await gahp.exitStatus() == 0)
    }

    /// Not a terminal: the protocol, byte for byte, however the admin would have typed it.
    @Test func pipesGetTheProtocolUnchanged() async throws {
        var env = try environment()
        env["VMGAHP_VMTYPE"] = "kvm"
        env["VMGAHP_WORKING_DIR"] = work.path
        let gahp = try GahpProcess(executable: TestPaths.product("condor_vm-gahp"), arguments: ["-f", "-M", "3"], environment: env)
        #expect(await gahp.next()?.hasPrefix("$VMGahpVersion ") == true)
        #expect(await gahp.request("help") == "E")
        #expect(await gahp.request("vm_status 1") == "E")
        #expect(await gahp.request("CLASSAD_FILE kvm-basic.ad") == "E")
        gahp.send("QUIT")
        #expect(await gahp.next() == "S")
        #expect(await gahp.exitStatus() == 0)
        #expect(gahp.standardOutput == GAHPVersion.banner + "\nE\nE\nE\nS\n")
    }
}
