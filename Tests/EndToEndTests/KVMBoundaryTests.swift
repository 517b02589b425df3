import Foundation
import LibvirtDriver
import TestSupport
import Testing
import VMCore

extension KVMEndToEnd {
    /// The root boundary on a real libvirtd and QEMU: a job reaches no host file through its
    /// images or through files planted under the names the gahp creates, and every host file
    /// named is left as it was (content and mode).
    @Suite struct Boundary {
        /// A host file the hostile job names: the bootable guest image, root-only, so that a
        /// QEMU that followed a reference to it would boot it.
        struct HostSecret {
            let path: String
            let contents: Data
            let mode: mode_t

            init(in directory: TemporaryDirectory, guest: String) throws {
                path = directory.url.appendingPathComponent("secret.img").path
                try FileManager.default.copyItem(atPath: guest + "/bootsector.img", toPath: path)
                chmod(path, 0o600)
                contents = try Data(contentsOf: URL(fileURLWithPath: path))
                mode = Self.mode(path)
            }

            static func mode(_ path: String) -> mode_t {
                var info = stat()
                return lstat(path, &info) == 0 ? info.st_mode : 0
            }

            func expectUntouched(_ comment: String) {
                #expect(FileManager.default.contents(atPath: path) == contents, "\(comment): content changed")
                #expect(Self.mode(path) == mode, "\(comment): mode changed")
            }
        }

        /// One test's host: daemon, a host directory holding the guest and the secret, and
        /// the domain type.
        struct Host {
            let hostDirectory: TemporaryDirectory
            let guest: String
            let secret: HostSecret
            let domainType: String

            func job(in directory: TemporaryDirectory, disk: String, format: String?, checkpoint: Bool = false) -> JobDescription {
                JobDescription(
                    vmType: "kvm", name: "vmgahp-boundary_\(UInt32.random(in: 1...UInt32.max)).0", workingDirectory: directory.path,
                    memoryMiB: 16, vcpus: 1, checkpoint: checkpoint,
                    disks: [JobDescription.Disk(path: disk, device: "hda", writable: true, format: format)])
            }

            /// A working directory holding a clean copy of the guest as `disk.img`.
            func cleanJob(checkpoint: Bool = false) throws -> (TemporaryDirectory, JobDescription) {
                let directory = try TemporaryDirectory(prefix: "kvm-boundary")
                let disk = directory.url.appendingPathComponent("disk.img").path
                try FileManager.default.copyItem(atPath: guest + "/bootsector.img", toPath: disk)
                return (directory, job(in: directory, disk: disk, format: "raw", checkpoint: checkpoint))
            }

            func driver(_ directory: TemporaryDirectory) -> LibvirtDriver {
                LibvirtDriver(KVMHost.context(domainType: domainType, workingDirectory: directory.path))
            }
        }

        private func withHost(_ body: (Host) async throws -> Void) async throws {
            if let reason = KVMHost.unavailable { print("SKIP: \(reason)"); return }
            let daemon = try LibvirtDaemon.ensure()
            defer { daemon.stopIfOurs() }
            let hostDirectory = try TemporaryDirectory(prefix: "kvm-boundary-host")
            let guest = hostDirectory.url.appendingPathComponent("guest").path
            try KVMHost.buildGuest(in: guest)
            let secret = try HostSecret(in: hostDirectory, guest: guest)
            try await body(Host(hostDirectory: hostDirectory, guest: guest, secret: secret, domainType: try KVMHost.domainType()))
            secret.expectUntouched("at the end")
        }

        /// Files QEMU's process holds open that are neither devices, sockets, pipes nor
        /// anonymous inodes, and lie outside `directory` and libvirt's own state and log
        /// directories.
        static func hostFilesOpen(pid: Int32, outside directory: String) throws -> [String] {
            let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
            let own = ["/dev/", "/var/log/libvirt/", "/var/lib/libvirt/", "/run/libvirt/", "/var/run/libvirt/"]
            return fds.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\($0)") }
                .filter { $0.hasPrefix("/") && !$0.hasPrefix(directory + "/") && !own.contains(where: $0.hasPrefix) }
        }

        static func qemuPid(_ name: String) throws -> Int32 {
            let text = try String(contentsOfFile: "/run/libvirt/qemu/\(name).pid", encoding: .utf8)
            return try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        }

        /// An image whose backing file is the host's bootable secret: START refuses it, and the
        /// domain XML for it, created anyway, makes QEMU open the image alone.
        @Test func aBackingFileNeverReachesQEMU() async throws {
            try await withHost { host in
                let directory = try TemporaryDirectory(prefix: "kvm-boundary")
                let disk = directory.url.appendingPathComponent("disk.qcow2").path
                try TestImages.qemuImg(["create", "-f", "qcow2", "-u", "-F", "raw", "-b", host.secret.path, disk, "1M"])
                let job = host.job(in: directory, disk: disk, format: "qcow2")
                defer { KVMHost.destroy([job.name]) }
                await #expect { _ = try await host.driver(directory).start(job) } throws: {
                    ($0 as? VMGAHPError)?.code == .badImage && ($0 as? VMGAHPError)?.fault == .job
                }
                #expect(try !KVMHost.domainExists(job.name))

                // Belt and braces: the image changed after the check would get this XML.
                let console = directory.url.appendingPathComponent(LibvirtSettings.consoleLogName).path
                let xml = DomainXML.render(job, DomainOptions(domainType: host.domainType, consoleLog: console))
                let file = try directory.write("domain.xml", xml)
                let created = try KVMHost.virsh("create", file, "--paused")
                try #require(created.status == 0, "virsh create: \(created.output)")
                let pid = try Self.qemuPid(job.name)
                let open = try Self.hostFilesOpen(pid: pid, outside: directory.path)
                #expect(open.isEmpty, "QEMU holds host files open outside the working directory: \(open)")
                let blocks = try KVMHost.virsh("qemu-monitor-command", job.name, "--hmp", "info block")
                #expect(!blocks.output.contains(host.secret.path), "no backing file in QEMU's block graph: \(blocks.output)")
                #expect(blocks.output.contains(disk))
            }
        }

        /// The hostile corpus through the driver on the real host: each image is refused with
        /// BAD_IMAGE before any domain exists.
        @Test func theHostileCorpusIsRefusedBeforeADomainExists() async throws {
            try await withHost { host in
                let directory = try TemporaryDirectory(prefix: "kvm-boundary")
                let corpus = try TestImages.makeHostileCorpus(in: directory.path, secret: host.secret.path)
                let driver = host.driver(directory)
                for (name, declared, _) in corpus {
                    let job = host.job(in: directory, disk: directory.path + "/" + name, format: declared)
                    defer { KVMHost.destroy([job.name]) }
                    await #expect("\(name)") { _ = try await driver.start(job) } throws: { ($0 as? VMGAHPError)?.code == .badImage }
                    #expect(try !KVMHost.domainExists(job.name), "\(name)")
                }
            }
        }

        enum Plant: String, CaseIterable {
            case symlink, fifo, hardLink, device

            /// Puts one at `path`, aimed at (or aliasing) `secret` where it can.
            func make(_ path: String, secret: String) throws {
                let made: Int32
                switch self {
                case .symlink: made = Foundation.symlink(secret, path)
                case .fifo: made = mkfifo(path, 0o666)
                case .hardLink: made = link(secret, path)
                case .device: made = mknod(path, S_IFCHR | 0o666, dev_t(1 << 8 | 3))
                }
                guard made == 0 else { throw KVMTestError("cannot make a \(self) at \(path): errno \(errno)") }
            }
        }

        /// A link, FIFO, hard link or device planted under a name the gahp creates at START is
        /// a job fault with a hold token; nothing is created, the plant stays, the secret is
        /// untouched.
        @Test func filesPlantedUnderTheGahpsNamesAreRefusedAtStart() async throws {
            try await withHost { host in
                for name in [LibvirtSettings.consoleLogName, "xen.mem.ckpt"] {
                    for plant in Plant.allCases {
                        let (directory, job) = try host.cleanJob(checkpoint: true)
                        defer { KVMHost.destroy([job.name]) }
                        let path = directory.url.appendingPathComponent(name).path
                        try plant.make(path, secret: host.secret.path)
                        let label = "\(plant) at \(name)"
                        await #expect(Comment(rawValue: label)) { _ = try await host.driver(directory).start(job) } throws: {
                            guard let error = $0 as? VMGAHPError else { return false }
                            return error.fault == .job && error.code.putsJobOnHold
                        }
                        #expect(try !KVMHost.domainExists(job.name), "\(label)")
                        #expect(HostSecret.mode(path) != 0, "\(label): the planted file is left alone")
                        host.secret.expectUntouched(label)
                    }
                }
            }
        }

        /// On a running guest: QEMU holds no host file outside the working directory; a link
        /// planted at the memory file refuses SUSPEND (the guest runs on), a FIFO at the
        /// timestamp refuses CHECKPOINT, and neither is followed.
        @Test func filesPlantedWhileTheGuestRunsAreRefused() async throws {
            try await withHost { host in
                let (directory, job) = try host.cleanJob(checkpoint: true)
                defer { KVMHost.destroy([job.name]) }
                let vm = try await host.driver(directory).start(job)
                let pid = try Self.qemuPid(job.name)
                let open = try Self.hostFilesOpen(pid: pid, outside: directory.path)
                #expect(open.isEmpty, "QEMU holds host files open outside the working directory: \(open)")

                let memory = directory.url.appendingPathComponent("xen.mem.ckpt").path
                try Plant.symlink.make(memory, secret: host.secret.path)
                await #expect { try await vm.suspend() } throws: { ($0 as? VMGAHPError)?.fault == .job }
                #expect(try await vm.status().state == .running, "the guest runs on")
                host.secret.expectUntouched("link at the memory file")
                unlink(memory)

                let timestamp = memory + ".timestamp"
                try Plant.fifo.make(timestamp, secret: host.secret.path)
                await #expect { try await vm.checkpoint() } throws: { ($0 as? VMGAHPError)?.fault == .job }
                #expect(HostSecret.mode(timestamp) & S_IFMT == S_IFIFO, "the FIFO is neither opened nor removed")
                await vm.tearDown()
                #expect(try !KVMHost.domainExists(job.name))
            }
        }
    }
}
