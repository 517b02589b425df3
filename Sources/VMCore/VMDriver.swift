import Logging

/// What a driver is given when the gahp creates it.
public struct DriverContext: Sendable {
    /// The type this gahp serves (`kvm`, `xen`, `vmware`).
    public var vmType: String
    public var policy: HostPolicy
    /// The job's working directory (`VMGAHP_WORKING_DIR`), when the gahp has one.
    public var workingDirectory: String?
    /// Looks up an HTCondor configuration value (already macro-expanded), by name,
    /// case-insensitively, with `VM_GAHP.` overrides applied. `nil` when unset.
    public var setting: @Sendable (String) -> String?
    public var logger: Logger
    /// The gahp's environment (the starter passes the job's environment through).
    public var environment: [String: String]
    /// Who files the driver creates in the job's directory must belong to, so the starter
    /// can transfer them back as the job user (`VMGAHP_USER_UID`/`GID`); nil when the gahp
    /// cannot change ownership (not root) or was not told.
    public var jobOwner: FileOwner?
    /// How the driver runs a program as the job user (`UserSwitch.ownExecutable` in the
    /// gahp); nil where nothing can: such programs are then not run.
    public var userSwitch: UserSwitch?

    public init(
        vmType: String, policy: HostPolicy, workingDirectory: String? = nil,
        setting: @escaping @Sendable (String) -> String?, logger: Logger, environment: [String: String] = [:],
        jobOwner: FileOwner? = nil, userSwitch: UserSwitch? = nil
    ) {
        self.vmType = vmType
        self.policy = policy
        self.workingDirectory = workingDirectory
        self.setting = setting
        self.logger = logger
        self.environment = environment
        self.jobOwner = jobOwner
        self.userSwitch = userSwitch
    }

    /// A configuration value read as HTCondor reads booleans (`true`/`yes`/non-zero).
    public func flag(_ name: String, default value: Bool = false) -> Bool {
        guard let raw = setting(name)?.lowercased() else { return value }
        switch raw {
        case "true", "yes", "t", "y": return true
        case "false", "no", "f", "n": return false
        default: return Int(raw).map { $0 != 0 } ?? value
        }
    }
}

/// A user and group to own files.
public struct FileOwner: Sendable, Equatable {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}

/// What the probe (`-M 0`) learnt about the host, beyond what the configuration says.
public struct HostCapabilities: Sendable, Equatable {
    /// The configured networking types that really work on this host.
    public var networkingTypes: [JobDescription.Networking.Kind]
    /// Driver-specific machine attributes, printed after HTCondor's.
    public var extraAttributes: [MachineAttribute]

    public init(networkingTypes: [JobDescription.Networking.Kind], extraAttributes: [MachineAttribute] = []) {
        self.networkingTypes = networkingTypes
        self.extraAttributes = extraAttributes
    }
}

/// A hypervisor back end.
///
/// The server calls these methods off its protocol reader, one VM's calls in order and
/// different VMs' calls concurrently, each under a deadline. A method that has to wait on
/// a blocking C call or a child process must do so through `BlockingCall` (or its own
/// threads), never on Swift's cooperative pool: on a two-core host one hung call there
/// would starve every other request.
public protocol VMDriver: Sendable {
    /// Checks that the hypervisor is reachable and reports what this host can run.
    func probe() async throws -> HostCapabilities
    /// Creates and starts (or restores from a checkpoint) the VM a validated job describes.
    func start(_ job: JobDescription) async throws -> any VirtualMachine
    /// Destroys the VM with this hypervisor-side name (kill mode `-M 4`) and returns once
    /// the hypervisor confirms it is gone, retrying through a hung or restarting daemon;
    /// throws when `deadline` passes first. A VM that does not exist is not an error.
    func destroy(name: String, until deadline: ContinuousClock.Instant) async throws
    /// What the driver would hand the hypervisor for this job (libvirt's domain XML,
    /// VMware's .vmx), for `explain-ad`. `nil` when the driver has nothing to show.
    func explain(_ job: JobDescription) throws -> String?
}

extension VMDriver {
    public func explain(_ job: JobDescription) throws -> String? { nil }

    /// `destroy(name:until:)` with a minute to confirm.
    public func destroy(name: String) async throws {
        try await destroy(name: name, until: .now + .seconds(60))
    }
}

/// One running (or suspended, or stopped) VM owned by a driver.
///
/// Errors thrown should be `VMGAHPError` so the starter gets HTCondor's token; anything
/// else is reported as `VMGAHP_ERR_INTERNAL` with its description logged.
public protocol VirtualMachine: AnyObject, Sendable {
    /// The hypervisor-side name (the job description's `name`).
    var name: String { get }
    /// Shuts the guest down and makes sure it is gone.
    func stop() async throws
    /// Hard suspend: saves the guest's memory to a file and frees the host's resources.
    func suspend() async throws
    /// Pauses the guest's vCPUs, keeping its memory.
    func softSuspend() async throws
    /// Undoes `suspend` or `softSuspend`.
    func resume() async throws
    /// Saves a checkpoint the job's next run can restart from; the guest stays saved.
    /// The server calls it only for jobs that allow checkpoints (`JobVMCheckpoint`).
    func checkpoint() async throws
    func status() async throws -> VMStatusReport
    /// The host process that runs the guest, 0 when there is none.
    func pid() async throws -> Int
    /// Makes sure nothing of the VM is left running (QUIT, end of input, SIGTERM): keeps
    /// destroying until the hypervisor confirms the VM is gone or `deadline` passes.
    /// Returns whether it is gone. Must not throw: it logs what it could not do.
    func tearDown(until deadline: ContinuousClock.Instant) async -> Bool
}

extension VirtualMachine {
    /// `tearDown(until:)` with a minute to confirm.
    @discardableResult
    public func tearDown() async -> Bool {
        await tearDown(until: .now + .seconds(60))
    }
}

/// The drivers compiled into a binary, keyed by the VM types they serve.
///
/// The executable target assembles the list (the composition root), so the server and
/// the command line never import a concrete driver.
public struct DriverRegistry: Sendable {
    public struct Entry: Sendable {
        public var vmTypes: [String]
        /// Cheap check (no connection) whether a type can be offered here at all.
        public var isUsable: @Sendable (String) -> Bool
        public var make: @Sendable (DriverContext) throws -> any VMDriver
        /// The driver's part of `condor_vm-gahp doctor`; nil when it adds no checks.
        public var doctor: DriverDoctor?

        public init(
            vmTypes: [String], isUsable: @escaping @Sendable (String) -> Bool = { _ in true },
            make: @escaping @Sendable (DriverContext) throws -> any VMDriver, doctor: DriverDoctor? = nil
        ) {
            self.vmTypes = vmTypes
            self.isUsable = isUsable
            self.make = make
            self.doctor = doctor
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }

    /// Types this binary can serve here, in HTCondor's order (`xen` before `kvm`).
    public var supportedTypes: [String] {
        let order = ["xen", "kvm", "vmware"]
        let all = entries.flatMap { entry in entry.vmTypes.filter { entry.isUsable($0) } }
        return all.sorted { (order.firstIndex(of: $0) ?? order.count) < (order.firstIndex(of: $1) ?? order.count) }
    }

    public func entry(for vmType: String) -> Entry? {
        let type = vmType.lowercased()
        return entries.first { $0.vmTypes.contains(type) }
    }
}
