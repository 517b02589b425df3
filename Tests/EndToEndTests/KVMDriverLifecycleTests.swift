import Foundation
import LibvirtDriver
import TestSupport
import Testing
import VMCore

extension KVMEndToEnd {
    /// The libvirt driver on a real libvirtd with a real (boot-sector) guest, driven directly.
    @Suite struct DriverLifecycle {
        /// One job's working directory holding its own copy of a guest image.
        private func makeJob(_ directory: TemporaryDirectory, image: String, checkpoint: Bool) throws -> JobDescription {
            let guest = directory.url.appendingPathComponent("guest").path
            try KVMHost.buildGuest(in: guest)
            let disk = directory.url.appendingPathComponent("disk.img").path
            try FileManager.default.copyItem(atPath: "\(guest)/\(image)", toPath: disk)
            return JobDescription(
                vmType: "kvm", name: "vmgahp-e2e_\(UInt32.random(in: 1...UInt32.max)).0", workingDirectory: directory.path,
                memoryMiB: 16, vcpus: 1, checkpoint: checkpoint,
                disks: [JobDescription.Disk(path: disk, device: "hda", writable: true, format: "raw")])
        }

        /// One test's guest and what it needs.
        private struct Guest {
            let directory: TemporaryDirectory
            let job: JobDescription
            let domainType: String
            let timer: StepTimer
            var console: String { directory.url.appendingPathComponent(LibvirtSettings.consoleLogName).path }

            /// A driver as one gahp process has it; a second one stands for the job's next run.
            func driver() -> LibvirtDriver {
                LibvirtDriver(KVMHost.context(domainType: domainType, workingDirectory: directory.path))
            }
        }

        /// Runs `body` on a fresh guest; whatever happens, the guest is destroyed, a daemon this
        /// test started is stopped and the timings are printed.
        private func withGuest(
            image: String, checkpoint: Bool, label: String, _ body: (Guest) async throws -> Void
        ) async throws {
            if let reason = KVMHost.unavailable { print("SKIP: \(reason)"); return }
            let daemon = try LibvirtDaemon.ensure()
            defer { daemon.stopIfOurs() }
            let directory = try TemporaryDirectory(prefix: "kvm-e2e")
            let job = try makeJob(directory, image: image, checkpoint: checkpoint)
            defer { KVMHost.destroy([job.name]) }
            let type = try KVMHost.domainType()
            let timer = StepTimer("\(label), \(type)")
            defer { timer.report() }
            try await body(Guest(directory: directory, job: job, domainType: type, timer: timer))
        }

        @Test func fullLifecycleOnARealGuest() async throws {
            try await withGuest(image: "bootsector.img", checkpoint: true, label: "bootsector") { guest in
                let (job, timer, console) = (guest.job, guest.timer, guest.console)
                let ckpt = guest.directory.url.appendingPathComponent("xen.mem.ckpt").path

                let driver = guest.driver()
                let vm = try await timer.time("START") { try await driver.start(job) }
                try await timer.time("boot to GUEST-BOOT-OK") { try await KVMHost.waitForConsole(console, "GUEST-BOOT-OK") }

                let running = try await timer.time("STATUS") { try await vm.status() }
                #expect(running.state == .running)
                let pid = try #require(running.pid, "QEMU's pid is known")
                #expect(FileManager.default.fileExists(atPath: "/proc/\(pid)"))
                #expect((running.cpuTime ?? 0) > 0)
                #expect(running.memoryKiB == 16 * 1024)
                #expect(try await timer.time("GETPID") { try await vm.pid() } == pid)

                try await timer.time("SOFT_SUSPEND") { try await vm.softSuspend() }
                #expect(try await vm.status().state == .suspended)
                try await timer.time("RESUME (unpause)") { try await vm.resume() }
                #expect(try await vm.status().state == .running)

                try await timer.time("SUSPEND (save)") { try await vm.suspend() }
                #expect(try await vm.status().state == .suspended, "saved, not stopped")
                #expect(FileManager.default.fileExists(atPath: ckpt))
                #expect(try !KVMHost.domainExists(job.name))
                try await timer.time("RESUME (restore)") { try await vm.resume() }
                #expect(try await vm.status().state == .running)
                try await KVMHost.waitForConsole(console, "GUEST-HB", count: 2, within: 30)

                try await timer.time("CHECKPOINT") { try await vm.checkpoint() }
                #expect(try await vm.status().state == .suspended)
                #expect(FileManager.default.fileExists(atPath: ckpt + ".timestamp"))
                let heartbeatsAtCheckpoint = KVMHost.console(console).components(separatedBy: "GUEST-HB").count - 1

                // The job's next run: a new gahp (driver) in the same working directory.
                let nextDriver = guest.driver()
                let restarted = try await timer.time("START from checkpoint") { try await nextDriver.start(job) }
                #expect(try await restarted.status().state == .running)
                try await KVMHost.waitForConsole(console, "GUEST-HB", count: heartbeatsAtCheckpoint + 1, within: 30)
                #expect(KVMHost.console(console).components(separatedBy: "GUEST-BOOT-OK").count - 1 == 1, "restored, not rebooted")

                try await timer.time("STOP (ACPI shutdown)") { try await restarted.stop() }
                #expect(try await restarted.status().state == .stopped)
                #expect(try !KVMHost.domainExists(job.name))
                #expect(KVMHost.console(console).contains("GUEST-ACPI-POWEROFF"), "the guest shut down cleanly")
            }
        }

        @Test func aGuestThatPowersItselfOffIsStopped() async throws {
            try await withGuest(image: "bootsector-selfoff.img", checkpoint: false, label: "self power-off") { guest in
                let (job, timer, console) = (guest.job, guest.timer, guest.console)
                let vm = try await guest.driver().start(job)
                try await timer.time("START to GUEST-SELF-POWEROFF") {
                    try await KVMHost.waitForConsole(console, "GUEST-SELF-POWEROFF", within: 60)
                }
                // The lifecycle event marks it stopped; poll, bounded, without ever sending STOP.
                let deadline = Date().addingTimeInterval(30)
                var state = try await vm.status().state
                while state != .stopped, Date() < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                    state = try await vm.status().state
                }
                #expect(state == .stopped)
                #expect(try !KVMHost.domainExists(job.name))
            }
        }

        @Test func aLibvirtdThatDiesFailsRequestsUntilItIsBack() async throws {
            try await withGuest(image: "bootsector.img", checkpoint: false, label: "libvirtd restart") { guest in
                // Only a daemon that scripts/libvirtd-ctl.sh runs (its pidfile) is killed, and it is
                // started again below; someone else's daemon is left alone.
                guard let daemonPid = LibvirtDaemon.ourPid, KVMHost.isAlive(daemonPid) else {
                    print("SKIP: the libvirtd that answers was not started by scripts/libvirtd-ctl.sh; not killing it")
                    return
                }
                let (job, timer) = (guest.job, guest.timer)
                let vm = try await guest.driver().start(job)
                #expect(try await vm.status().state == .running)
                // Booted, so the final STOP's ACPI request is honoured rather than timing out.
                try await KVMHost.waitForConsole(guest.console, "GUEST-BOOT-OK")

                kill(daemonPid, SIGKILL)
                let deadline = Date().addingTimeInterval(10)
                while KVMHost.isAlive(daemonPid), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
                let failure = await timer.time("STATUS with libvirtd dead") { () -> VMGAHPError? in
                    do { _ = try await vm.status(); return nil } catch { return error as? VMGAHPError }
                }
                #expect(failure != nil && failure?.code.putsJobOnHold == false, "a host error, not a hold")

                let restarted = try LibvirtDaemon.ensure()
                #expect(restarted.startedByUs, "a new daemon was started")
                let status = try await timer.time("STATUS after libvirtd restart") { try await vm.status() }
                #expect(status.state == .running, "reconnected; QEMU survived the daemon")
                try await timer.time("STOP") { try await vm.stop() }
                #expect(try !KVMHost.domainExists(job.name))
            }
        }
    }
}

extension KVMHost {
    /// Running and not a zombie (this sandbox reaps orphans late).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }
}
