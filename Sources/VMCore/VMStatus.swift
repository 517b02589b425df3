/// The run state the starter understands in a `STATUS=` field.
public enum VMRunState: String, Sendable, Equatable {
    case running = "Running"
    case stopped = "Stopped"
    case suspended = "Suspended"
    case softSuspended = "SoftSuspended"
}

/// What a driver knows about one VM at one moment.
///
/// Drivers fill what they can; the server adds `CPUUTILIZATION` from successive CPU-time
/// samples, so that every driver gets a per-VM figure without keeping its own history.
public struct VMStatusReport: Sendable, Equatable {
    public var state: VMRunState
    /// Guest CPU time in seconds, summed over vCPUs.
    public var cpuTime: Double?
    /// Number of vCPUs, used to turn CPU time into a utilisation fraction.
    public var vcpus: Int?
    public var memoryKiB: UInt64?
    public var maxMemoryKiB: UInt64?
    /// The hypervisor process that runs the guest (e.g. QEMU's pid).
    public var pid: Int?
    public var mac: String?
    public var ip: String?

    public init(
        state: VMRunState, cpuTime: Double? = nil, vcpus: Int? = nil, memoryKiB: UInt64? = nil,
        maxMemoryKiB: UInt64? = nil, pid: Int? = nil, mac: String? = nil, ip: String? = nil
    ) {
        self.state = state
        self.cpuTime = cpuTime
        self.vcpus = vcpus
        self.memoryKiB = memoryKiB
        self.maxMemoryKiB = maxMemoryKiB
        self.pid = pid
        self.mac = mac
        self.ip = ip
    }

    public static let stopped = VMStatusReport(state: .stopped)
}
