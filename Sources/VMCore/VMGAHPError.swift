/// A failure that the gahp reports to the starter.
///
/// The starter decides between putting a job on hold and requeueing it (and taking the
/// host's VM universe offline) by matching the exact `VMGAHP_ERR_*` token in the result
/// line, so every failure carries one of HTCondor's tokens and says whose fault it is.
/// A result line has exactly three fields, so the message never goes on the wire: it goes
/// to `VM_GAHP_LOG` and to `explain-ad`. Which token a failed START reports is decided in
/// one place from the code and the fault (`startToken(vmType:)`, StartRefusal.swift).
public struct VMGAHPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Whose fault a failure is: what the job controls (its ad, its files, its images), or
    /// what the host controls (configuration, daemons, devices, resources).
    public enum Fault: String, Sendable {
        case job, host
    }

    public var code: Code
    public var message: String
    public var fault: Fault

    public init(_ code: Code, _ message: String, fault: Fault) {
        self.code = code
        self.message = message
        self.fault = fault
    }

    /// A failure the job caused (its ad, its files, its images).
    public static func job(_ code: Code, _ message: String) -> VMGAHPError {
        VMGAHPError(code, message, fault: .job)
    }

    /// A failure the host caused (configuration, daemons, devices, resources).
    public static func host(_ code: Code, _ message: String) -> VMGAHPError {
        VMGAHPError(code, message, fault: .host)
    }

    public var description: String { "\(code.rawValue) (\(fault.rawValue) fault): \(message)" }

    /// HTCondor's error tokens (`vmgahp_error_codes.h`).
    public enum Code: String, Sendable, CaseIterable {
        // common
        case vmNotFound = "VMGAHP_ERR_VM_NOT_FOUND"
        case `internal` = "VMGAHP_ERR_INTERNAL"
        case invalidOperation = "VMGAHP_ERR_VM_INVALID_OPERATION"
        case critical = "VMGAHP_ERR_CRITICAL"
        case cannotCreateISOFile = "VMGAHP_ERR_CANNOT_CREATE_ISO_FILE"
        case cannotReadCDROMFile = "VMGAHP_ERR_CANNOT_READ_CDROM_FILE"
        case cannotCreateArgFile = "VMGAHP_ERR_CANNOT_CREATE_ARG_FILE"
        // start
        case noJobClassAdInfo = "VMGAHP_ERR_NO_JOBCLASSAD_INFO"
        case noSupportedVMType = "VMGAHP_ERR_NO_SUPPORTED_VM_TYPE"
        case vmNotEnoughMemory = "VMGAHP_ERR_VM_NOT_ENOUGH_MEMORY"
        case xenInvalidGuestKernel = "VMGAHP_ERR_XEN_INVALID_GUEST_KERNEL"
        case xenVBDConnectError = "VMGAHP_ERR_XEN_VBD_CONNECT_ERROR"
        case xenConfigFileError = "VMGAHP_ERR_XEN_CONFIG_FILE_ERROR"
        case badImage = "VMGAHP_ERR_BAD_IMAGE"
        // checkpoint
        case cannotCreateCheckpointFiles = "VMGAHP_ERR_VM_CANNOT_CREATE_CKPT_FILES"
        case noSupportCheckpoint = "VMGAHP_ERR_VM_NO_SUPPORT_CHECKPOINT"
        // suspend / resume
        case invalidSuspendFile = "VMGAHP_ERR_VM_INVALID_SUSPEND_FILE"
        case noSupportSuspend = "VMGAHP_ERR_VM_NO_SUPPORT_SUSPEND"
        // job ad
        case noVMMemoryParam = "VMGAHP_ERR_JOBCLASSAD_NO_VM_MEMORY_PARAM"
        case tooMuchMemoryRequest = "VMGAHP_ERR_JOBCLASSAD_TOO_MUCH_MEMORY_REQUEST"
        case mismatchedNetworking = "VMGAHP_ERR_JOBCLASSAD_MISMATCHED_NETWORKING"
        case mismatchedNetworkingType = "VMGAHP_ERR_JOBCLASSAD_MISMATCHED_NETWORKING_TYPE"
        case mismatchedHardwareVT = "VMGAHP_ERR_JOBCLASSAD_MISMATCHED_HARDWARE_VT"
        // xen
        case xenNoKernelParam = "VMGAHP_ERR_JOBCLASSAD_XEN_NO_KERNEL_PARAM"
        case xenNoRootDeviceParam = "VMGAHP_ERR_JOBCLASSAD_XEN_NO_ROOT_DEVICE_PARAM"
        case xenNoDiskParam = "VMGAHP_ERR_JOBCLASSAD_XEN_NO_DISK_PARAM"
        case xenInvalidDiskParam = "VMGAHP_ERR_JOBCLASSAD_XEN_INVALID_DISK_PARAM"
        case xenKernelNotFound = "VMGAHP_ERR_JOBCLASSAD_XEN_KERNEL_NOT_FOUND"
        case xenInitrdNotFound = "VMGAHP_ERR_JOBCLASSAD_XEN_INITRD_NOT_FOUND"
        case xenNoCDROMDevice = "VMGAHP_ERR_JOBCLASSAD_XEN_NO_CDROM_DEVICE"
        case xenMismatchedCheckpoint = "VMGAHP_ERR_JOBCLASSAD_XEN_MISMATCHED_CHECKPOINT"
        // kvm
        case kvmNoDiskParam = "VMGAHP_ERR_JOBCLASSAD_KVM_NO_DISK_PARAM"
        case kvmInvalidDiskParam = "VMGAHP_ERR_JOBCLASSAD_KVM_INVALID_DISK_PARAM"
        case kvmNoCDROMDevice = "VMGAHP_ERR_JOBCLASSAD_KVM_NO_CDROM_DEVICE"
        case kvmMismatchedCheckpoint = "VMGAHP_ERR_JOBCLASSAD_KVM_MISMATCHED_CHECKPOINT"
        // vmware (pre-10.2 HTCondor)
        case vmwareNoVMXParam = "VMGAHP_ERR_JOBCLASSAD_NO_VMWARE_VMX_PARAM"

        /// The tokens the starter turns into a job hold (a user's mistake), in the order
        /// whose position becomes the hold subcode (`vm_proc.cpp`).
        public static let holdTokens: [Code] = [
            .noVMMemoryParam, .xenNoKernelParam, .mismatchedHardwareVT, .xenKernelNotFound,
            .xenInitrdNotFound, .xenNoRootDeviceParam, .xenNoDiskParam, .xenInvalidDiskParam,
            .xenMismatchedCheckpoint, .kvmNoDiskParam, .kvmInvalidDiskParam,
            .kvmMismatchedCheckpoint, .badImage,
        ]

        /// Whether the starter puts the job on hold for this token rather than requeueing it.
        public var putsJobOnHold: Bool { Self.holdTokens.contains(self) }
    }
}
