import CLibvirt
import FoundationEssentials
import Glibc
import Logging
import Synchronization
import VMCore

/// The KVM and Xen driver: one libvirt connection per gahp, one transient domain per job.
public final class LibvirtDriver: VMDriver {
    public let vmType: String
    public let settings: LibvirtSettings
    let policy: HostPolicy
    let logger: Logger
    let jobOwner: FileOwner?
    let userSwitch: UserSwitch?
    let connection: Connection
    let events: DomainEvents
    /// Answers from the hypervisor that do not change while the gahp runs.
    private let hostFacts = Mutex<HostFacts>(HostFacts())

    private struct HostFacts {
        var domainType: String?
        var cpuModeSupported: [String: Bool] = [:]
    }

    /// libvirt releases before this reject `<backend type='passt'/>` (Debian 12's 9.0.0
    /// does, although passt support is announced for 9.0.0).
    static let passtMinimumVersion: UInt = 9_001_000

    public init(_ context: DriverContext) {
        let events = DomainEvents()
        self.vmType = context.vmType.lowercased()
        self.settings = LibvirtSettings(context)
        self.policy = context.policy
        self.logger = context.logger
        self.jobOwner = context.jobOwner
        self.userSwitch = context.userSwitch
        self.events = events
        self.connection = Connection(uri: settings.uri) { event in events.deliver(event) }
    }

    // MARK: VMDriver

    public func probe() async throws -> HostCapabilities {
        let policy = self.policy
        let vmType = self.vmType
        let natWorks = try await call(.probe) { conn in
            try conn.with { (c) throws(LibvirtError) -> Bool in
                _ = try Libvirt.libVersion(c)
                return Libvirt.networkIsActive(c, name: "default")
            }
        }
        let usable = policy.networkingTypes.filter { kind in
            switch kind {
            case .nat: return natWorks
            case .bridge: return policy.bridgeInterface.map { FileManager.default.fileExists(atPath: "/sys/class/net/\($0)") } ?? false
            // QEMU's built-in user networking needs nothing from the host; Xen has none.
            case .user: return vmType == "kvm"
            }
        }
        for kind in policy.networkingTypes where !usable.contains(kind) {
            logger.info("networking type \(kind.rawValue) is configured but does not work on this host; not advertised")
        }
        return HostCapabilities(networkingTypes: usable)
    }

    public func start(_ job: JobDescription) async throws -> any VirtualMachine {
        guard job.vmType == vmType else {
            throw VMGAHPError.host(.noSupportedVMType, "job type \(job.vmType) on a \(vmType) gahp")
        }
        try JobFiles.precheck(job)
        let options = try await resolveOptions(for: job)
        let xml = await domainXML(for: job, options)
        let vm = LibvirtVM(job: job, driver: self)
        let files = CheckpointFiles(job, jobOwner: jobOwner)
        if try files.isRestorable(disks: job.disks), await restore(job, from: files, xml: xml) {
            logger.info("\(job.name): restarted from the checkpoint in \(files.memory)")
            files.removeAll()
            return vm
        }
        if try files.hasMemoryImage() {
            logger.info("\(job.name): \(files.memory) is not a usable checkpoint for these disks; booting afresh")
            files.removeAll()
        }
        if options.consoleLog != nil {
            // Appended to across a job's runs; created by the gahp, never a planted link.
            try JobFiles.directory(job, jobOwner: jobOwner).create(LibvirtSettings.consoleLogName, keepExisting: true)
            handOver(job.workingDirectory.appendingPath(LibvirtSettings.consoleLogName))
        }
        try await create(job, xml: xml)
        logger.info("\(job.name): created as a \(options.domainType) domain on \(settings.uri)")
        return vm
    }

    public func destroy(name: String, until deadline: ContinuousClock.Instant) async throws {
        try await ensureGone(name, until: deadline).get()
    }

    public func explain(_ job: JobDescription) throws -> String? {
        let domainType = job.vmType == "xen" ? "xen" : (settings.domainType == .qemu ? "qemu" : "kvm")
        return DomainXML.render(job, baseOptions(for: job, domainType: domainType))
    }

    // MARK: helpers for the driver and its VMs

    /// Gives a file the driver (as root) created in the job's directory to the job user, as
    /// HTCondor does, so the starter can transfer it back. A missing file is not an error.
    /// A link put in its place is never followed: only the link itself changes hands.
    func handOver(_ path: String) {
        guard let jobOwner, fchownat(AT_FDCWD, path, jobOwner.uid, jobOwner.gid, AT_SYMLINK_NOFOLLOW) != 0, errno != ENOENT else { return }
        logger.warning("cannot give \(path) to uid \(jobOwner.uid): \(String(cString: strerror(errno)))")
    }

    /// Runs libvirt work on a blocking thread and turns its failure into the starter's token.
    /// `work` throws only `LibvirtError`s (the binding's wrappers); anything else would be
    /// a programming error and is reported as an internal one.
    func call<T: Sendable>(_ operation: DriverOperation, _ work: @escaping @Sendable (Connection) throws -> T) async throws(VMGAHPError) -> T {
        let connection = self.connection
        let result: Result<T, any Error> = await BlockingCall.run { Result { try work(connection) } }
        switch result {
        case .success(let value): return value
        case .failure(let error as LibvirtError):
            let mapped = error.vmgahpError(during: operation)
            if !error.isNoDomain { logger.warning("\(mapped)") }
            throw mapped
        case .failure(let error):
            throw VMGAHPError.host(.internal, "\(operation.rawValue): \(error)")
        }
    }

    /// Creates the transient domain. libvirt's number cannot tell a QEMU that fails to open
    /// the job's image from one that fails for the host's reasons, so when libvirt blames
    /// nothing in particular the images decide (`ImageCheck`).
    private func create(_ job: JobDescription, xml: String) async throws(VMGAHPError) {
        let outcome: Result<Void, VMGAHPError>
        do {
            try await call(.start) { conn in
                try conn.with { (c) throws(LibvirtError) in try Libvirt.createTransient(c, xml: xml) }
            }
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        guard case .failure(let error) = outcome else { return }
        guard error.fault == .host, error.code == .internal else { throw error }
        if let blame = await ImageCheck.blame(job, uri: settings.uri, jobOwner: jobOwner, userSwitch: userSwitch) {
            throw VMGAHPError.job(blame.code, "\(blame.message); libvirt: \(error.message)")
        }
        throw error
    }

    /// Destroys the domain until libvirt says it does not exist, or `deadline` passes.
    ///
    /// Only "no such domain" confirms: a destroy that returned may race a restarting daemon,
    /// and any other failure (daemon stopped, killed, restarting, the domain still shutting
    /// off) is retried with a short back-off on a fresh connection (`Connection` reconnects
    /// after a lost one). Each call waits at most until the deadline, since a stopped daemon
    /// answers nothing until it is continued.
    func ensureGone(_ name: String, until deadline: ContinuousClock.Instant) async -> Result<Void, VMGAHPError> {
        var pause: Duration = .milliseconds(100)
        var last = VMGAHPError.host(.internal, "libvirt did not answer before the teardown deadline")
        var attempts = 0
        while ContinuousClock.now < deadline {
            attempts += 1
            let outcome = await withDeadline(deadline - ContinuousClock.now) {
                try await self.call(.kill) { conn in try conn.withDomain(name) { (d) throws(LibvirtError) in try Libvirt.destroy(d) } }
            }
            switch outcome {
            case .timedOut:
                return .failure(VMGAHPError.host(.internal, "\(name): libvirt did not answer within the deadline (\(attempts) attempts; last: \(last.message))"))
            case .finished(.success):
                continue  // destroyed: the next lookup confirms it
            case .finished(.failure(let error as VMGAHPError)) where error.code == .vmNotFound:
                if attempts > 1 { logger.info("\(name) is gone (after \(attempts) attempts)") }
                return .success(())
            case .finished(.failure(let error)):
                last = (error as? VMGAHPError) ?? VMGAHPError.host(.internal, "\(error)")
            }
            try? await Task.sleep(for: min(pause, max(.zero, deadline - ContinuousClock.now)))
            pause = min(pause * 2, .seconds(1))
        }
        return .failure(VMGAHPError.host(.internal, "\(name) not confirmed gone before the deadline (\(attempts) attempts; last: \(last.message))"))
    }

    private func baseOptions(for job: JobDescription, domainType: String) -> DomainOptions {
        DomainOptions(
            domainType: domainType, cpuMode: nil,
            consoleLog: domainType == "xen"
                ? nil : job.workingDirectory.appendingPath(LibvirtSettings.consoleLogName),
            userBackend: .slirp, xenBootloader: settings.xenBootloader)
    }

    /// Decides what depends on the host: the domain type, the CPU mode, the user-network back end.
    func resolveOptions(for job: JobDescription) async throws(VMGAHPError) -> DomainOptions {
        let domainType = job.vmType == "xen" ? "xen" : try await kvmDomainType()
        var options = baseOptions(for: job, domainType: domainType)
        if let mode = settings.cpuMode, domainType != "xen" {
            if try await cpuModeSupported(mode, virtType: domainType) {
                options.cpuMode = mode
            } else {
                logger.info("VM_LIBVIRT_CPU_MODE \(mode) is not supported for \(domainType) domains here; using libvirt's default CPU")
            }
        }
        if job.networking?.kind == .user, domainType != "xen" {
            let version = try await call(.start) { conn in try conn.with { (c) throws(LibvirtError) in try Libvirt.libVersion(c) } }
            if version >= Self.passtMinimumVersion, Self.onPath("passt") { options.userBackend = .passt }
        }
        return options
    }

    private func kvmDomainType() async throws(VMGAHPError) -> String {
        switch settings.domainType {
        case .kvm: return "kvm"
        case .qemu: return "qemu"
        case .auto:
            if let known = hostFacts.withLock({ $0.domainType }) { return known }
            let kvm = try await call(.start) { conn in
                try conn.with { (c) throws(LibvirtError) -> Bool in
                    do throws(LibvirtError) {
                        _ = try Libvirt.domainCapabilities(c, virtType: "kvm")
                        return true
                    } catch {
                        if error.isConnectionLost { throw error }
                        return false
                    }
                }
            }
            let type = kvm ? "kvm" : "qemu"
            if !kvm { logger.info("KVM is not available through libvirt here; kvm jobs run as qemu (TCG) domains") }
            hostFacts.withLock { $0.domainType = type }
            return type
        }
    }

    private func cpuModeSupported(_ mode: String, virtType: String) async throws(VMGAHPError) -> Bool {
        let key = virtType + "/" + mode
        if let known = hostFacts.withLock({ $0.cpuModeSupported[key] }) { return known }
        // Capabilities a driver cannot report count as "not supported"; only a lost
        // connection fails the request.
        let caps = try await call(.start) { conn in
            try conn.with { (c) throws(LibvirtError) -> String in
                do throws(LibvirtError) {
                    return try Libvirt.domainCapabilities(c, virtType: virtType)
                } catch {
                    if error.isConnectionLost { throw error }
                    return ""
                }
            }
        }
        let supported = caps.contains("<mode name='\(mode)' supported='yes'")
        hostFacts.withLock { $0.cpuModeSupported[key] = supported }
        return supported
    }

    private func domainXML(for job: JobDescription, _ options: DomainOptions) async -> String {
        if let path = settings.xmlScript {
            let script = XMLScript(path: path, arguments: settings.xmlScriptArguments, timeout: settings.xmlScriptTimeout)
            let input = XMLScript.input(for: job, bridgeInterface: settings.bridgeInterface, xenBootloader: settings.xenBootloader)
            if let xml = await script.run(input: input, logger: logger) { return xml }
        }
        return DomainXML.render(job, options)
    }

    /// Restores a checkpoint: with the freshly generated XML first (the working directory
    /// may have moved since the save), then as saved. Failure means "boot afresh".
    private func restore(_ job: JobDescription, from files: CheckpointFiles, xml: String) async -> Bool {
        let path = files.memory
        do {
            try await call(.resume) { conn in
                try conn.with { (c) throws(LibvirtError) in
                    do throws(LibvirtError) {
                        try Libvirt.restore(c, from: path, xml: xml)
                    } catch where !error.isConnectionLost {
                        try Libvirt.restore(c, from: path, xml: nil)
                    }
                }
            }
            return true
        } catch {
            logger.warning("\(job.name): restoring \(path) failed (\(error)); booting afresh")
            return false
        }
    }

    static func onPath(_ program: String) -> Bool {
        findExecutable(program, path: ProcessInfo.processInfo.environment["PATH"]) != nil
    }
}
