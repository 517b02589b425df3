import Foundation
import GAHPWire
import TestSupport
import Testing

extension KVMEndToEnd {
    /// Fault injection on the real host: libvirtd stopped, continued, killed and restarted
    /// under requests and under teardown; QEMU killed under a running guest; the working
    /// directory filling up during SUSPEND and CHECKPOINT; the gahp SIGKILLed and kill mode
    /// cleaning up. Every case ends with no domain left and the job's original files as
    /// they were.
    ///
    /// Only the libvirtd scripts/libvirtd-ctl.sh runs (its pidfile) is ever stopped or killed;
    /// with another daemon the cases print why and return. Colleagues' tests share that daemon,
    /// so each outage lasts a second or two and the daemon is always left running and answering.
    @Suite struct Faults {
        /// The libvirtd these tests may stop, continue, kill and restart.
        struct Daemon {
            var pid: Int32

            static func ours() throws -> Daemon? {
                _ = try LibvirtDaemon.ensure()
                guard let pid = LibvirtDaemon.ourPid, KVMHost.isAlive(pid) else { return nil }
                return Daemon(pid: pid)
            }

            func pause() { kill(pid, SIGSTOP) }
            func resume() { kill(pid, SIGCONT) }

            /// SIGKILL, and wait until it is gone.
            func crash() async throws {
                kill(pid, SIGCONT)
                kill(pid, SIGKILL)
                let deadline = Date().addingTimeInterval(10)
                while KVMHost.isAlive(pid), Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            }

            /// Starts a new daemon (scripts/libvirtd-ctl.sh) and returns it.
            static func restart() throws -> Daemon {
                _ = try LibvirtDaemon.ensure()
                guard let pid = LibvirtDaemon.ourPid else { throw KVMTestError("libvirtd-ctl.sh started no daemon") }
                return Daemon(pid: pid)
            }

            /// Whatever a case did: the daemon runs and answers afterwards.
            static func heal() {
                if let pid = LibvirtDaemon.ourPid, KVMHost.isAlive(pid) { kill(pid, SIGCONT) }
                _ = try? LibvirtDaemon.ensure()
            }
        }

        /// One job: its working directory (original files recorded), a gahp, its guest.
        final class Job: @unchecked Sendable {
            let work: String
            let etc: TemporaryDirectory
            let shared: TemporaryDirectory
            let name: String
            let cluster: UInt32
            let log: String
            let config: String
            let timer: StepTimer
            private var originals: [String: Data] = [:]
            private let workDirectory: TemporaryDirectory?
            private var mounted = false
            var gahp: GahpProcess!
            var nextRequest = 2

            /// - Parameter tmpfsKiB: mount a tmpfs this small as the working directory.
            init(label: String, tmpfsKiB: Int? = nil, checkpoint: Bool = false, teardownSeconds: Int = 40) throws {
                etc = try TemporaryDirectory(prefix: "kvm-fault-etc")
                shared = try TemporaryDirectory(prefix: "kvm-fault-shared")
                let directory = try TemporaryDirectory(prefix: "kvm-fault-work")
                workDirectory = directory
                work = directory.path
                if let tmpfsKiB {
                    let result = try KVMHost.run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(tmpfsKiB)k,mode=0755", "tmpfs", work])
                    guard result.status == 0 else { throw KVMTestError("cannot mount a tmpfs: \(result.output)") }
                    mounted = true
                }
                try KVMHost.buildGuest(in: shared.url.appendingPathComponent("guest").path)
                // A checkpointing job keeps its disk on shared storage (HTCondor's rule).
                let disk = checkpoint ? shared.url.appendingPathComponent("disk.img").path : "\(work)/disk.img"
                try FileManager.default.copyItem(atPath: shared.url.appendingPathComponent("guest/bootsector.img").path, toPath: disk)
                // A disk on shared storage is checked as the job user (VMGAHP_USER_UID below).
                if checkpoint { chmod(disk, 0o666) }
                try Data("the job's input\n".utf8).write(to: URL(fileURLWithPath: "\(work)/input.txt"))
                for file in try FileManager.default.contentsOfDirectory(atPath: work) {
                    originals[file] = FileManager.default.contents(atPath: "\(work)/\(file)")
                }
                cluster = UInt32.random(in: 1000...999_999)
                name = "fault_localhost_\(cluster).0"
                log = etc.url.appendingPathComponent("VMGahpLog").path
                timer = StepTimer("faults: \(label)")
                config = try etc.write("condor_config", """
                    VM_MEMORY = 256
                    VM_LIBVIRT_URI = qemu:///system
                    VM_LIBVIRT_DOMAIN_TYPE = \(try KVMHost.domainType())
                    VM_GAHP_STOP_GRACE = 5
                    VM_GAHP_DISK_ROOTS = \(shared.path)
                    VM_GAHP_TEARDOWN_TIMEOUT = \(teardownSeconds)
                    VM_GAHP_KILL_TIMEOUT = 40
                    VM_GAHP_LOG = \(log)

                    """)
                adLines = [
                    "VM_WORKING_DIR = \"\(work)\"", "ClusterId = \(cluster)", "ProcId = 0", "User = \"fault@localhost\"",
                    "JobVMType = \"kvm\"", "JobVMMemory = 32", "JobVM_VCPUS = 1", "JobVMCheckpoint = \(checkpoint)",
                    "VMPARAM_vm_Disk = \"\(disk):hda:w:raw\"",
                ]
            }

            let adLines: [String]

            var environment: [String: String] {
                [
                    "CONDOR_CONFIG": config, "VMGAHP_WORKING_DIR": work, "VMGAHP_VMTYPE": "kvm", "VMGAHP_USER_UID": "65534",
                    "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                ]
            }

            /// Launches the gahp and sends the handshake and the ad.
            func launch() async throws {
                gahp = try GahpProcess(
                    executable: TestPaths.product("condor_vm-gahp"), arguments: ["-f", "-M", "3"], environment: environment, directory: work)
                #expect(await gahp.next() == GAHPVersion.banner)
                #expect(await gahp.request("ASYNC_MODE_ON") == "S")
                #expect(await gahp.request("CLASSAD") == "S")
                for line in adLines { gahp.send(line) }
                #expect(await gahp.request("CLASSAD_END") == "S")
            }

            /// Sends one VM request now; `result()` collects its result line.
            func send(_ command: String, _ target: String = "1") async -> Int {
                let id = nextRequest
                nextRequest += 1
                #expect(await gahp.request("\(command) \(id) \(target)") == "S", "\(command)")
                return id
            }

            func result(timeout: Duration = .seconds(60)) async -> String {
                await gahp.results(timeout: timeout).first ?? "no result"
            }

            func request(_ command: String, _ target: String = "1", timeout: Duration = .seconds(60)) async -> String {
                _ = await send(command, target)
                return await result(timeout: timeout)
            }

            /// Starts the guest. Faults do not need it booted (booting takes ~8 s on this nested
            /// KVM); only an ACPI shutdown does.
            func startGuest() async throws {
                try await launch()
                let reply = await timer.time("START") { await request("CONDOR_VM_START", "kvm") }
                #expect(reply == "\(nextRequest - 1) 0 1")
            }

            var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

            /// The case's end: the domain is gone and every original file is as it was.
            func expectCleanEnd() throws {
                #expect(try !KVMHost.domainExists(name), "\(name) leaked")
                for (file, data) in originals {
                    #expect(FileManager.default.contents(atPath: "\(work)/\(file)") == data, "\(file) changed or vanished")
                }
                #expect(!FileManager.default.fileExists(atPath: "\(work)/xen.mem.ckpt") || adLines.contains("JobVMCheckpoint = true"))
            }

            /// Runs kill mode for this job's domain and returns its exit status.
            func killMode() throws -> Int32 {
                let arguments = ["-i"] + environment.map { "\($0.key)=\($0.value)" }
                    + [TestPaths.product("condor_vm-gahp").path, "-f", "-M", "4", "vmtype", "kvm", "match", name]
                return try KVMHost.run("/usr/bin/env", arguments, timeout: 90).status
            }

            deinit {
                gahp = nil
                KVMHost.destroy([name])
                if mounted { _ = try? KVMHost.run("/usr/bin/umount", ["-l", work]) }
                timer.report()
            }
        }

        /// Runs a case with our daemon, or says why it cannot; the daemon is healed afterwards.
        private func withDaemon(_ body: (Daemon) async throws -> Void) async throws {
            if let reason = KVMHost.unavailable { print("SKIP: \(reason)"); return }
            guard FileManager.default.isExecutableFile(atPath: TestPaths.product("condor_vm-gahp").path) else {
                Issue.record("condor_vm-gahp is not built (swift build)")
                return
            }
            guard let daemon = try Daemon.ours() else {
                print("SKIP: the libvirtd that answers was not started by scripts/libvirtd-ctl.sh; not stopping or killing it")
                return
            }
            defer { Daemon.heal() }
            try await body(daemon)
        }

        /// QUIT, end of input and SIGTERM each while libvirtd is stopped: the teardown waits for
        /// the daemon, QUIT answers `S` only once the domain is gone, and nothing is left.
        @Test(arguments: ["QUIT", "EOF", "SIGTERM"])
        func teardownWaitsOutAStoppedLibvirtd(_ ending: String) async throws {
            try await withDaemon { daemon in
                let job = try Job(label: "teardown (\(ending)) with libvirtd stopped 2 s")
                try await job.startGuest()
                daemon.pause()
                let clock = ContinuousClock()
                let sent = clock.now
                switch ending {
                case "QUIT": job.gahp.send("QUIT")
                case "EOF": job.gahp.closeInput()
                default: kill(job.gahp.process.processIdentifier, SIGTERM)
                }
                if ending == "QUIT" {
                    #expect(await job.gahp.next(timeout: .seconds(2)) == nil, "no S while the domain may still exist")
                } else {
                    try await Task.sleep(for: .seconds(2))
                }
                daemon.resume()
                let resumed = clock.now
                if ending == "QUIT" { #expect(await job.gahp.next(timeout: .seconds(40)) == "S") }
                #expect(await job.gahp.exitStatus(timeout: .seconds(40)) == 0)
                let done = clock.now
                print("FAULT-TIMING teardown on \(ending) with libvirtd stopped: \(done - sent) in all, \(done - resumed) after SIGCONT")
                try job.expectCleanEnd()
            }
        }

        /// libvirtd killed before QUIT and restarted a second later: the teardown reconnects.
        @Test func teardownReconnectsToARestartedLibvirtd() async throws {
            try await withDaemon { daemon in
                let job = try Job(label: "teardown with libvirtd killed and restarted")
                try await job.startGuest()
                try await daemon.crash()
                let clock = ContinuousClock()
                let sent = clock.now
                job.gahp.send("QUIT")
                try await Task.sleep(for: .seconds(1))
                _ = try Daemon.restart()
                #expect(await job.gahp.next(timeout: .seconds(40)) == "S")
                #expect(await job.gahp.exitStatus(timeout: .seconds(40)) == 0)
                print("FAULT-TIMING teardown across a libvirtd kill and restart: \(clock.now - sent)")
                #expect(job.logText.contains("\(job.name) is gone (after"), "it retried")
                try job.expectCleanEnd()
            }
        }

        /// A daemon stopped for longer than the teardown may wait: QUIT answers `E`, the gahp
        /// exits 1 and logs the domain it leaves; kill mode, itself started while the daemon is
        /// still stopped, waits for it and removes the domain (exit 0).
        @Test func teardownGivesUpLoudlyAndKillModeFinishesTheJob() async throws {
            try await withDaemon { daemon in
                let job = try Job(label: "teardown gives up, kill mode cleans up", teardownSeconds: 2)
                try await job.startGuest()
                daemon.pause()
                job.gahp.send("QUIT")
                #expect(await job.gahp.next(timeout: .seconds(20)) == "E")
                #expect(await job.gahp.exitStatus(timeout: .seconds(20)) == 1)
                #expect(job.logText.contains("Teardown gave up on domain \(job.name)"))
                let clock = ContinuousClock()
                let started = clock.now
                let kill = Task.detached { try job.killMode() }
                try await Task.sleep(for: .seconds(1))
                daemon.resume()
                #expect(try await kill.value == 0)
                print("FAULT-TIMING kill mode started with libvirtd stopped 1 s: \(clock.now - started)")
                try job.expectCleanEnd()
            }
        }

        /// Every kind of request sent while libvirtd is stopped completes once it continues.
        @Test func requestsWaitOutAStoppedLibvirtd() async throws {
            try await withDaemon { daemon in
                let job = try Job(label: "requests with libvirtd stopped 1 s each", checkpoint: true)
                try await job.launch()
                let steps: [(String, String, String)] = [
                    ("CONDOR_VM_START", "kvm", "0 1"), ("CONDOR_VM_STATUS", "1", "0 STATUS=Running"),
                    ("CONDOR_VM_SOFT_SUSPEND", "1", "0 NULL"), ("CONDOR_VM_RESUME", "1", "0 NULL"),
                    ("CONDOR_VM_SUSPEND", "1", "0 NULL"), ("CONDOR_VM_RESUME", "1", "0 NULL"),
                    ("CONDOR_VM_CHECKPOINT", "1", "0 NULL"), ("CONDOR_VM_RESUME", "1", "0 NULL"),
                    ("CONDOR_VM_GETPID", "1", "0 "), ("CONDOR_VM_STOP", "1", "0 NULL"),
                ]
                for (command, target, expected) in steps {
                    daemon.pause()
                    let id = await job.send(command, target)
                    try await Task.sleep(for: .seconds(1))
                    daemon.resume()
                    let line = await job.timer.time("\(command) across a 1 s stop") { await job.result() }
                    #expect(line.hasPrefix("\(id) \(expected)"), "\(command): \(line)")
                    if command == "CONDOR_VM_START" {
                        // Booted, so the final STOP's ACPI request is honoured.
                        try await job.timer.time("boot to GUEST-BOOT-OK") {
                            try await KVMHost.waitForConsole("\(job.work)/vmgahp-console.log", "GUEST-BOOT-OK", within: 120)
                        }
                    }
                }
                #expect(await job.gahp.request("QUIT") == "S")
                #expect(await job.gahp.exitStatus() == 0)
                try job.expectCleanEnd()
            }
        }

        /// With libvirtd dead, START is a host fault (never a hold) and STATUS and SUSPEND fail
        /// at once; after a restart the same gahp starts, reports and suspends the guest.
        @Test func requestsFailAsHostFaultsWhileLibvirtdIsDead() async throws {
            try await withDaemon { daemon in
                let job = try Job(label: "requests with libvirtd killed, then restarted")
                try await job.launch()
                try await daemon.crash()
                let start = await job.timer.time("START with libvirtd dead") { await job.request("CONDOR_VM_START", "kvm") }
                #expect(start == "2 1 VMGAHP_ERR_CRITICAL", "a host fault: requeue, never hold")
                var restarted = try Daemon.restart()
                #expect(await job.request("CONDOR_VM_START", "kvm") == "3 0 2")
                try await restarted.crash()
                for command in ["CONDOR_VM_STATUS", "CONDOR_VM_SUSPEND"] {
                    let line = await job.timer.time("\(command) with libvirtd dead") { await job.request(command, "2") }
                    #expect(line.split(separator: " ").dropFirst().first == "1", "\(command) fails: \(line)")
                }
                restarted = try Daemon.restart()
                #expect(await job.request("CONDOR_VM_STATUS", "2").contains("0 STATUS=Running"), "the guest survived")
                #expect(await job.request("CONDOR_VM_SUSPEND", "2").hasSuffix(" 0 NULL"))
                #expect(await job.request("CONDOR_VM_RESUME", "2").hasSuffix(" 0 NULL"))
                #expect(await job.gahp.request("QUIT") == "S")
                #expect(await job.gahp.exitStatus() == 0)
                try job.expectCleanEnd()
            }
        }

        /// QEMU killed under a running guest: STATUS reports `Stopped` promptly, never hangs.
        @Test func qemuKilledUnderARunningGuestIsStopped() async throws {
            try await withDaemon { _ in
                let job = try Job(label: "QEMU SIGKILLed")
                try await job.startGuest()
                let pidLine = await job.request("CONDOR_VM_GETPID")
                let pid = try #require(Int32(pidLine.split(separator: " ").last ?? ""), "\(pidLine)")
                #expect(pid > 0)
                kill(pid, SIGKILL)
                let clock = ContinuousClock()
                let killed = clock.now
                var status = ""
                while !status.hasSuffix("STATUS=Stopped"), clock.now - killed < .seconds(30) {
                    status = await job.request("CONDOR_VM_STATUS", timeout: .seconds(30))
                    #expect(status != "no result", "STATUS answered")
                    if !status.hasSuffix("STATUS=Stopped") { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(status.hasSuffix("0 STATUS=Stopped"))
                print("FAULT-TIMING STATUS=Stopped after QEMU was killed: \(clock.now - killed)")
                #expect(await job.gahp.request("QUIT") == "S")
                #expect(await job.gahp.exitStatus() == 0)
                try job.expectCleanEnd()
            }
        }

        /// A working directory too small for the memory image: SUSPEND and CHECKPOINT fail
        /// (never a hold token), leave no partial image, and the guest runs on until QUIT.
        @Test func aFullWorkingDirectoryFailsSuspendAndCheckpointCleanly() async throws {
            try await withDaemon { _ in
                let job = try Job(label: "working directory full (256 KiB tmpfs)", tmpfsKiB: 256, checkpoint: true)
                try await job.startGuest()
                for command in ["CONDOR_VM_SUSPEND", "CONDOR_VM_CHECKPOINT"] {
                    let line = await job.timer.time("\(command) into a full directory") { await job.request(command) }
                    let fields = line.split(separator: " ")
                    #expect(fields.count == 3 && fields[1] == "1", "\(command) fails: \(line)")
                    #expect(!FileManager.default.fileExists(atPath: "\(job.work)/xen.mem.ckpt"), "no partial image")
                    #expect(await job.request("CONDOR_VM_STATUS").contains(" 0 STATUS=Running"), "the guest runs on")
                }
                #expect(await job.gahp.request("QUIT") == "S")
                #expect(await job.gahp.exitStatus() == 0)
                try job.expectCleanEnd()
            }
        }

        /// An image QEMU cannot open (a sound qcow2 header that references no other file, so our
        /// own reader lets it by, but without a reference count table) is the job's fault: the
        /// refusal libvirt gives is checked against the image with `qemu-img`, run as the job
        /// user through the gahp's own binary, and reported `BAD_IMAGE` (a hold).
        @Test func anImageQEMUCannotOpenHoldsTheJob() async throws {
            if let reason = KVMHost.unavailable { print("SKIP: \(reason)"); return }
            _ = try LibvirtDaemon.ensure()
            let job = try Job(label: "an image QEMU cannot open")
            func bigEndian<T: FixedWidthInteger>(_ value: T) -> Data { withUnsafeBytes(of: value.bigEndian) { Data($0) } }
            var header = Data([0x51, 0x46, 0x49, 0xFB]) + bigEndian(UInt32(3)) + bigEndian(UInt64(0)) + bigEndian(UInt32(0))
            header += bigEndian(UInt32(16)) + bigEndian(UInt64(1 << 20)) + Data(count: 64)  // 64 KiB clusters, no tables
            header += bigEndian(UInt32(4)) + bigEndian(UInt32(104))                             // refcount order, header length
            header += Data(count: 512 - header.count)
            try header.write(to: URL(fileURLWithPath: "\(job.work)/broken.qcow2"))
            try await job.launch()
            #expect(await job.gahp.request("CLASSAD") == "S")
            for line in job.adLines where !line.hasPrefix("VMPARAM_vm_Disk") { job.gahp.send(line) }
            job.gahp.send("VMPARAM_vm_Disk = \"broken.qcow2:hda:w:qcow2\"")
            #expect(await job.gahp.request("CLASSAD_END") == "S")
            #expect(await job.request("CONDOR_VM_START", "kvm") == "2 1 VMGAHP_ERR_BAD_IMAGE")
            #expect(job.logText.contains("for job \(job.cluster).0 refused, job fault: VMGAHP_ERR_BAD_IMAGE"))
            #expect(job.logText.contains("QEMU cannot open disk \(job.work)/broken.qcow2 as qcow2 (qemu-img info failed)"), "\(job.logText.suffix(600))")
            #expect(await job.gahp.request("QUIT") == "S")
            #expect(await job.gahp.exitStatus() == 0)
            try job.expectCleanEnd()
        }

        /// The gahp SIGKILLed with a guest running leaves it; kill mode removes it (exit 0),
        /// and again finds nothing (exit 0).
        @Test func killModeCleansUpAfterAKilledGahp() async throws {
            try await withDaemon { _ in
                let job = try Job(label: "gahp SIGKILLed, then kill mode")
                try await job.startGuest()
                kill(job.gahp.process.processIdentifier, SIGKILL)
                #expect(try KVMHost.domainExists(job.name), "nothing could tear it down")
                #expect(await job.timer.time("gahp exit after SIGKILL") { await job.gahp.exitStatus() } != nil)
                let status = try await job.timer.time("kill mode") { try job.killMode() }
                #expect(status == 0)
                #expect(try job.killMode() == 0, "an absent domain is success")
                try job.expectCleanEnd()
            }
        }
    }
}
