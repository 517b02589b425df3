import CLibvirt
import FoundationEssentials
import Glibc
import Logging
import Synchronization
import VMCore

/// One job's domain.
///
/// The phase is what the gahp knows without asking libvirt: lifecycle events move it to
/// `.stopped` the moment a guest powers itself off or crashes, and a hard-suspended
/// (saved) guest, which libvirt no longer lists, stays `.saved` rather than looking
/// stopped, so the starter does not end a suspended job.
final class LibvirtVM: VirtualMachine {
    enum Phase: Sendable, Equatable {
        case running, paused, saved, stopped
    }

    struct State: Sendable {
        var phase: Phase = .running
        /// The saved image is a checkpoint (with its timestamp), not a plain suspend file.
        var checkpointed = false
        /// STOP asked the guest to shut down, so its power-off is no surprise.
        var stopRequested = false
    }

    let name: String
    let job: JobDescription
    private let driver: LibvirtDriver
    private let files: CheckpointFiles
    private let box: StateBox
    private let token: DomainEvents.Token

    /// Shared with the event handler, which must not keep the VM alive.
    final class StateBox: Sendable {
        let state = Mutex(State())
    }

    init(job: JobDescription, driver: LibvirtDriver) {
        let box = StateBox()
        let logger = driver.logger
        let name = job.name
        self.name = name
        self.job = job
        self.driver = driver
        self.files = CheckpointFiles(job, jobOwner: driver.jobOwner)
        self.box = box
        self.token = driver.events.observe(name) { event in
            if event.isCrash { logger.error("\(name): the guest crashed (libvirt event \(event.event)/\(event.detail))") }
            guard event.isStopped, !event.isSave else { return }
            box.state.withLock { state in
                if state.phase == .running || state.phase == .paused {
                    state.phase = .stopped
                    if !state.stopRequested {
                        logger.info("\(name): the domain stopped by itself (libvirt detail \(event.detail))")
                    }
                }
            }
        }
    }

    deinit { driver.events.cancel(token) }

    var phase: Phase { box.state.withLock { $0.phase } }
    /// Moves to `phase`; `checkpointed` changes only when given (a checkpointed VM that is
    /// stopped keeps its checkpoint files for the next run).
    private func set(_ phase: Phase, checkpointed: Bool? = nil) {
        box.state.withLock {
            $0.phase = phase
            if let checkpointed { $0.checkpointed = checkpointed }
        }
    }

    /// Xen HVM guests may only be saved when the admin allows it (HTCondor's rule).
    private var saveForbidden: Bool { job.xen == .hvm && !driver.policy.xenAllowHardwareVTSuspend }

    // MARK: VirtualMachine

    func stop() async throws {
        switch phase {
        case .stopped:
            cleanUpAfterStop()
            return
        case .saved:
            cleanUpAfterStop()
            set(.stopped)
            return
        case .running, .paused:
            break
        }
        let name = self.name
        box.state.withLock { $0.stopRequested = true }
        do {
            try await driver.call(.stop) { conn in
                try conn.withDomain(name) { (d) throws(LibvirtError) in
                    // A paused guest cannot see the ACPI button.
                    if try Libvirt.info(d).isPaused { try Libvirt.unpause(d) }
                    try Libvirt.shutdown(d)
                }
            }
        } catch where error.code == .vmNotFound {
            set(.stopped)
            return
        } catch {
            driver.logger.info("\(name): ACPI shutdown request failed (\(error)); destroying")
        }
        if await !waitUntilGone(within: driver.settings.stopGrace) {
            driver.logger.info("\(name): still running \(driver.settings.stopGrace) after the shutdown request; destroying")
            try await destroyDomain()
        }
        cleanUpAfterStop()
        set(.stopped)
    }

    func suspend() async throws {
        switch phase {
        case .saved: return
        case .stopped: throw VMGAHPError.host(.invalidOperation, "\(name) is not running")
        case .running, .paused: break
        }
        if saveForbidden { throw VMGAHPError.host(.noSupportSuspend, "Xen HVM guests may not be suspended (XEN_ALLOW_HARDWARE_VT_SUSPEND)") }
        try await save(.suspend)
        set(.saved, checkpointed: false)
    }

    func softSuspend() async throws {
        switch phase {
        case .paused: return
        case .saved, .stopped: throw VMGAHPError.host(.invalidOperation, "\(name) is not running")
        case .running: break
        }
        try await onDomain(.softSuspend) { d throws(LibvirtError) in try Libvirt.pause(d) }
        set(.paused)
    }

    func resume() async throws {
        let name = self.name
        switch phase {
        case .running:
            return
        case .stopped:
            throw VMGAHPError.host(.invalidOperation, "\(name) is not suspended")
        case .paused:
            try await onDomain(.resume) { d throws(LibvirtError) in try Libvirt.unpause(d) }
        case .saved:
            let path = files.memory
            guard try files.hasMemoryImage() else {
                throw VMGAHPError.job(.invalidSuspendFile, "\(path) is missing")
            }
            try await driver.call(.resume) { conn in
                try conn.with { (c) throws(LibvirtError) in try Libvirt.restore(c, from: path, xml: nil) }
            }
            // The guest runs on, so its disks will no longer match the saved memory.
            files.removeAll()
        }
        set(.running, checkpointed: false)
    }

    func checkpoint() async throws {
        if saveForbidden { throw VMGAHPError.host(.noSupportCheckpoint, "Xen HVM guests may not be checkpointed (XEN_ALLOW_HARDWARE_VT_SUSPEND)") }
        switch phase {
        case .stopped: throw VMGAHPError.host(.invalidOperation, "\(name) is not running")
        case .saved: break
        case .running, .paused:
            try await save(.checkpoint)
            // Saved from here on, even if the timestamp cannot be written: the domain is gone.
            set(.saved, checkpointed: false)
        }
        try files.seal(disks: job.disks)
        driver.handOver(files.timestamp)
        set(.saved, checkpointed: true)
    }

    func status() async throws -> VMStatusReport {
        switch phase {
        case .saved: return VMStatusReport(state: .suspended)
        case .stopped: return .stopped
        case .running, .paused: break
        }
        let name = self.name
        let wantsNetwork = job.networking != nil
        let sample: DomainSample
        do {
            sample = try await driver.call(.status) { conn in
                try conn.withDomain(name) { (d) throws(LibvirtError) in try DomainSample.read(d, network: wantsNetwork) }
            }
        } catch where error.code == .vmNotFound {
            markGone()
            return .stopped
        }
        if sample.info.isPaused { return VMStatusReport(state: .suspended) }
        guard sample.info.isRunning else {
            markGone()
            return .stopped
        }
        return VMStatusReport(
            state: .running, cpuTime: Double(sample.info.cpuTimeNanoseconds) / 1e9, vcpus: sample.info.vcpus,
            memoryKiB: sample.info.memoryKiB, maxMemoryKiB: sample.info.maxMemoryKiB,
            pid: QEMUProcess.pid(domain: name, uri: driver.settings.uri), mac: sample.mac, ip: sample.ip)
    }

    func pid() async throws -> Int {
        switch phase {
        case .running, .paused: return QEMUProcess.pid(domain: name, uri: driver.settings.uri) ?? 0
        case .saved, .stopped: return 0
        }
    }

    func tearDown(until deadline: ContinuousClock.Instant) async -> Bool {
        switch phase {
        case .stopped:
            cleanUpAfterStop()
            return true
        case .saved:
            return true
        case .running, .paused:
            break
        }
        box.state.withLock { $0.stopRequested = true }
        switch await driver.ensureGone(name, until: deadline) {
        case .success:
            set(.stopped)
            return true
        case .failure(let error):
            driver.logger.error("\(name): could not destroy the domain at teardown: \(error.message)")
            return false
        }
    }

    // MARK: internals

    /// HTCondor's clean-up once a VM is gone for good (§3.3): a job that wants no output
    /// (`VMPARAM_No_Output_VM`) loses its transferred disks, so nothing is sent back; any
    /// other job keeps its disks and checkpoint but not a plain suspend file. When the guest
    /// shut itself down, its writable transferred disks are stamped "now", as HTCondor
    /// stamps them: the starter sends back only files changed since the job started, and a
    /// guest that never wrote its disk would otherwise give the user nothing back.
    private func cleanUpAfterStop() {
        let (checkpointed, byItself) = box.state.withLock { ($0.checkpointed, !$0.stopRequested) }
        if job.noOutputVM, !checkpointed {
            for disk in job.disks where disk.transferred { JobFiles.removeIfPlain(disk.path) }
            files.directory.removeIfPlain(LibvirtSettings.consoleLogName)
            files.removeAll()
        } else if !checkpointed {
            files.directory.removeIfPlain(CheckpointFiles.memoryName)
            if byItself {
                for disk in job.disks where disk.transferred && disk.writable {
                    if utimensat(AT_FDCWD, disk.path, nil, AT_SYMLINK_NOFOLLOW) != 0 {
                        driver.logger.warning("\(name): cannot stamp \(disk.path): \(String(cString: strerror(errno)))")
                    }
                }
            }
        }
    }

    private func markGone() {
        box.state.withLock { if $0.phase == .running || $0.phase == .paused { $0.phase = .stopped } }
    }

    /// Saves the guest's memory to `xen.mem.ckpt`; the domain is gone afterwards. A save that
    /// fails (the working directory full, say) leaves the guest running and no partial image
    /// behind to be mistaken for a checkpoint or transferred back.
    private func save(_ operation: DriverOperation) async throws(VMGAHPError) {
        let path = files.memory
        try files.prepareSave()
        do {
            try await onDomain(operation) { d throws(LibvirtError) in
                if try Libvirt.info(d).isPaused { try Libvirt.unpause(d) }
                try Libvirt.save(d, to: path)
            }
        } catch {
            files.removeAll()
            throw error
        }
        driver.handOver(path)
    }

    /// Runs libvirt work on this VM's domain. A domain that vanished (the guest powered
    /// off meanwhile) makes the request invalid rather than its VM unknown: the gahp still
    /// knows the VM, and its next STATUS says `Stopped`.
    private func onDomain(_ operation: DriverOperation, _ work: @escaping @Sendable (OpaquePointer) throws(LibvirtError) -> Void) async throws(VMGAHPError) {
        let name = self.name
        do {
            try await driver.call(operation) { conn in try conn.withDomain(name, work) }
        } catch where error.code == .vmNotFound {
            markGone()
            throw VMGAHPError.host(.invalidOperation, "\(name) is no longer running")
        }
    }

    private func destroyDomain() async throws(VMGAHPError) {
        let name = self.name
        box.state.withLock { $0.stopRequested = true }
        do {
            try await driver.call(.stop) { conn in
                try conn.withDomain(name) { (d) throws(LibvirtError) in try Libvirt.destroy(d) }
            }
        } catch where error.code == .vmNotFound {
            return
        }
        // virDomainDestroy returns once QEMU is signalled; wait briefly for the event.
        _ = await waitUntilGone(within: .seconds(10))
    }

    private func waitUntilGone(within limit: Duration) async -> Bool {
        let name = self.name
        let driver = self.driver
        return await driver.events.waitUntilGone(name, within: limit) {
            do {
                let info = try await driver.call(.status) { conn in
                    try conn.withDomain(name) { (d) throws(LibvirtError) in try Libvirt.info(d) }
                }
                return !(info.isRunning || info.isPaused)
            } catch {
                return (error as? VMGAHPError)?.code == .vmNotFound
            }
        }
    }
}

/// One STATUS worth of facts, read in a single blocking call.
struct DomainSample: Sendable {
    var info: DomainInfo
    var mac: String?
    var ip: String?

    static func read(_ dom: OpaquePointer, network: Bool) throws(LibvirtError) -> DomainSample {
        var sample = DomainSample(info: try Libvirt.info(dom))
        guard network, sample.info.isRunning else { return sample }
        if let xml = try? Libvirt.xml(dom) { sample.mac = firstMAC(in: xml) }
        for source in [VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP] {
            guard let ifaces = try? Libvirt.addresses(dom, source: source) else { continue }
            let match = ifaces.first { sample.mac == nil || $0.mac?.lowercased() == sample.mac }
            if let ip = match?.ips.first {
                sample.ip = ip
                break
            }
        }
        return sample
    }

    /// The first `<mac address='...'/>` of libvirt's own (machine-written) domain XML.
    static func firstMAC(in xml: String) -> String? {
        guard let range = xml.firstRange(of: "<mac address='") else { return nil }
        let rest = xml[range.upperBound...]
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<end]).lowercased()
    }
}
