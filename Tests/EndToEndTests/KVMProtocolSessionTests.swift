import Foundation
import GAHPWire
import TestSupport
import Testing

extension KVMEndToEnd {
    /// The built `condor_vm-gahp` on a real libvirtd, driven over stdin/stdout as HTCondor's
    /// starter drives it, through the same lifecycle as `KVMEndToEnd.DriverLifecycle`.
    @Suite struct ProtocolSession {
        /// A session with one gahp process; every request's time is recorded.
        private struct Session {
            let gahp: GahpProcess
            let timer: StepTimer
            var nextRequest = 1

            /// Sends a VM request and returns its result line.
            mutating func request(_ command: String, _ vmid: String, label: String, timeout: Duration = .seconds(40)) async -> String {
                let id = nextRequest
                nextRequest += 1
                let gahp = self.gahp
                return await timer.time(label) {
                    guard await gahp.request("\(command) \(id) \(vmid)") == "S" else { return "refused" }
                    return await gahp.results(timeout: timeout).first ?? "no result"
                }
            }
        }

        private func launch(config: String, workingDirectory: String) throws -> GahpProcess {
            try GahpProcess(
                executable: TestPaths.product("condor_vm-gahp"), arguments: ["-f", "-M", "3"],
                environment: [
                    "CONDOR_CONFIG": config, "VMGAHP_WORKING_DIR": workingDirectory, "VMGAHP_VMTYPE": "kvm",
                    // The shared disk is checked as this user, as the starter's job user.
                    "VMGAHP_USER_UID": "65534",
                    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                ],
                directory: workingDirectory)
        }

        private func handshake(_ gahp: GahpProcess, ad: [String]) async {
            #expect(await gahp.next() == GAHPVersion.banner)
            #expect(await gahp.request("SUPPORT_VMS")?.split(separator: " ").contains("kvm") == true)
            #expect(await gahp.request("ASYNC_MODE_ON") == "S")
            #expect(await gahp.request("CLASSAD") == "S")
            for line in ad { gahp.send(line) }
            #expect(await gahp.request("CLASSAD_END") == "S")
        }

        @Test func starterSessionOnARealGuest() async throws {
            if let reason = KVMHost.unavailable { print("SKIP: \(reason)"); return }
            let binary = TestPaths.product("condor_vm-gahp")
            guard FileManager.default.isExecutableFile(atPath: binary.path) else {
                Issue.record("\(binary.path) is not built (swift build)")
                return
            }
            let daemon = try LibvirtDaemon.ensure()
            defer { daemon.stopIfOurs() }
            let shared = try TemporaryDirectory(prefix: "kvm-gahp-shared")
            let work = try TemporaryDirectory(prefix: "kvm-gahp-work")
            let etc = try TemporaryDirectory(prefix: "kvm-gahp-etc")
            try KVMHost.buildGuest(in: shared.url.appendingPathComponent("guest").path)
            // A checkpointing job keeps its disk on shared storage (HTCondor's rule).
            let disk = shared.url.appendingPathComponent("disk.img").path
            try FileManager.default.copyItem(atPath: shared.url.appendingPathComponent("guest/bootsector.img").path, toPath: disk)
            chmod(disk, 0o666)
            let type = try KVMHost.domainType()
            let log = etc.url.appendingPathComponent("VMGahpLog").path
            let config = try etc.write("condor_config", """
                VM_MEMORY = 256
                VM_LIBVIRT_URI = qemu:///system
                VM_LIBVIRT_DOMAIN_TYPE = \(type)
                VM_GAHP_STOP_GRACE = 10
                VM_GAHP_DISK_ROOTS = \(shared.path)
                VM_GAHP_LOG = \(log)
                VM_GAHP_DEBUG = D_FULLDEBUG

                """)
            let cluster = UInt32.random(in: 1000...999_999)
            let name = "e2e_localhost_\(cluster).0"
            defer { KVMHost.destroy([name]) }
            let ad = [
                "VM_WORKING_DIR = \"\(work.path)\"", "ClusterId = \(cluster)", "ProcId = 0", "User = \"e2e@localhost\"",
                "JobVMType = \"kvm\"", "JobVMMemory = 32", "JobVM_VCPUS = 1", "JobVMCheckpoint = true",
                "JobVMNetworking = false", "JobVMVNCConsole = false", "VMPARAM_vm_Disk = \"\(disk):hda:w:raw\"",
            ]
            let timer = StepTimer("condor_vm-gahp over pipes, bootsector, \(type)")
            defer { timer.report() }
            let console = work.url.appendingPathComponent("vmgahp-console.log").path

            var first = Session(gahp: try launch(config: config, workingDirectory: work.path), timer: timer)
            await handshake(first.gahp, ad: ad)
            #expect(await first.request("CONDOR_VM_START", "kvm", label: "START") == "1 0 1")
            try await KVMHost.waitForConsole(console, "GUEST-BOOT-OK")
            let status = await first.request("CONDOR_VM_STATUS", "1", label: "STATUS")
            #expect(status.hasPrefix("2 0 STATUS=Running CPUUTILIZATION="))
            #expect(status.contains(" MEMORY=32768 MAXMEMORY=32768 PID="), "\(status)")
            let pid = await first.request("CONDOR_VM_GETPID", "1", label: "GETPID")
            #expect(pid.hasPrefix("3 0 ") && pid != "3 0 0" && status.hasSuffix("PID=\(pid.dropFirst(4))"), "\(pid) vs \(status)")
            #expect(await first.request("CONDOR_VM_SOFT_SUSPEND", "1", label: "SOFT_SUSPEND") == "4 0 NULL")
            #expect(await first.request("CONDOR_VM_STATUS", "1", label: "STATUS (paused)") == "5 0 STATUS=Suspended")
            #expect(await first.request("CONDOR_VM_RESUME", "1", label: "RESUME (unpause)") == "6 0 NULL")
            #expect(await first.request("CONDOR_VM_SUSPEND", "1", label: "SUSPEND (save)") == "7 0 NULL")
            #expect(await first.request("CONDOR_VM_STATUS", "1", label: "STATUS (saved)") == "8 0 STATUS=Suspended")
            #expect(await first.request("CONDOR_VM_RESUME", "1", label: "RESUME (restore)") == "9 0 NULL")
            #expect(await first.request("CONDOR_VM_CHECKPOINT", "1", label: "CHECKPOINT") == "10 0 NULL")
            #expect(await first.request("CONDOR_VM_STATUS", "1", label: "STATUS (checkpointed)") == "11 0 STATUS=Suspended")
            #expect(await first.gahp.request("QUIT") == "S")
            #expect(await first.gahp.exitStatus() == 0)

            // The job's next run restarts from the checkpoint in a new gahp.
            var second = Session(gahp: try launch(config: config, workingDirectory: work.path), timer: timer)
            await handshake(second.gahp, ad: ad)
            #expect(await second.request("CONDOR_VM_START", "kvm", label: "START from checkpoint") == "1 0 1")
            #expect(await second.request("CONDOR_VM_STATUS", "1", label: "STATUS (restored)").hasPrefix("2 0 STATUS=Running"))
            #expect(KVMHost.console(console).components(separatedBy: "GUEST-BOOT-OK").count - 1 == 1, "restored, not rebooted")
            #expect(await second.request("CONDOR_VM_STOP", "1", label: "STOP") == "3 0 NULL")
            #expect(try !KVMHost.domainExists(name))
            #expect(await second.request("CONDOR_VM_STATUS", "1", label: "STATUS (stopped)") == "4 0 STATUS=Stopped")
            #expect(await second.gahp.request("QUIT") == "S")
            #expect(await second.gahp.exitStatus() == 0)
            #expect(KVMHost.console(console).contains("GUEST-ACPI-POWEROFF"))
            let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(logText.contains("restarted from the checkpoint"), "the driver logs the restore")
        }
    }
}
