/// What the host's configuration allows a job to ask for.
///
/// Read from HTCondor's configuration by the command-line target and handed to the job-ad
/// validator and the drivers, so neither has to know about configuration files.
public struct HostPolicy: Sendable, Equatable {
    /// `VM_MEMORY`: the most MiB one VM may have; required and > 0.
    public var maxMemoryMiB: Int
    /// `VM_NETWORKING`
    public var networkingEnabled: Bool
    /// `VM_NETWORKING_TYPE`, lower case, in configuration order.
    public var networkingTypes: [JobDescription.Networking.Kind]
    /// `VM_NETWORKING_DEFAULT_TYPE`
    public var defaultNetworkingType: JobDescription.Networking.Kind?
    /// `VM_NETWORKING_BRIDGE_INTERFACE`
    public var bridgeInterface: String?
    /// `VM_HARDWARE_VT`
    public var hardwareVT: Bool
    /// `XEN_BOOTLOADER`
    public var xenBootloader: String?
    /// `XEN_ALLOW_HARDWARE_VT_SUSPEND`
    public var xenAllowHardwareVTSuspend: Bool
    /// `VM_GAHP_DISK_ROOTS` (ours): directories besides the job's working directory that
    /// disk and kernel files may live in (shared storage). Empty: the working directory only.
    public var allowedDiskRoots: [String]
    /// Online CPUs of the host: the most vCPUs one VM may have.
    public var hostCPUs: Int

    public init(
        maxMemoryMiB: Int, networkingEnabled: Bool = false, networkingTypes: [JobDescription.Networking.Kind] = [],
        defaultNetworkingType: JobDescription.Networking.Kind? = nil, bridgeInterface: String? = nil,
        hardwareVT: Bool = false, xenBootloader: String? = nil, xenAllowHardwareVTSuspend: Bool = false,
        allowedDiskRoots: [String] = [], hostCPUs: Int = 1
    ) {
        self.maxMemoryMiB = maxMemoryMiB
        self.networkingEnabled = networkingEnabled
        self.networkingTypes = networkingTypes
        self.defaultNetworkingType = defaultNetworkingType
        self.bridgeInterface = bridgeInterface
        self.hardwareVT = hardwareVT
        self.xenBootloader = xenBootloader
        self.xenAllowHardwareVTSuspend = xenAllowHardwareVTSuspend
        self.allowedDiskRoots = allowedDiskRoots
        self.hostCPUs = hostCPUs
    }
}
