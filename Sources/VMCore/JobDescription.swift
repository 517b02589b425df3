/// Everything a driver needs to create one VM, derived from the job ad and already
/// validated against the host's policy (see the `JobAd` target).
///
/// Drivers never look at the raw ad for decisions: every value here has passed the
/// safety rules (paths confined to the working directory, names and MACs matched against
/// strict patterns, numbers in range), so a driver may put them into XML or a command line
/// without re-checking. `adLines` is kept only for external generators such as
/// `LIBVIRT_XML_SCRIPT`, which HTCondor feeds the ad on stdin.
public struct JobDescription: Sendable, Equatable {
    /// `kvm`, `xen` or `vmware`, lower case.
    public var vmType: String
    /// The hypervisor-side name: `<User with @ as _>_<ClusterId>.<ProcId>`.
    public var name: String
    /// `VM_WORKING_DIR`: absolute, the directory every job file lives in.
    public var workingDirectory: String
    public var memoryMiB: Int
    public var vcpus: Int
    public var networking: Networking?
    /// `JobVMCheckpoint`: CHECKPOINT is allowed.
    public var checkpoint: Bool
    /// `JobVMVNCConsole`
    public var vncConsole: Bool
    /// `JobVMHardwareVT`
    public var hardwareVT: Bool
    /// `VMPARAM_No_Output_VM`: the job wants nothing back, so its files may be removed at the end.
    public var noOutputVM: Bool
    public var disks: [Disk]
    public var xen: XenBoot?
    public var vmware: VMwareFiles?
    /// `TransferInput`, split on commas.
    public var transferInput: [String]
    /// `TransferIntermediate`, split on commas: files an earlier run left for a restart.
    public var transferIntermediate: [String]
    /// The ad as the starter sent it, one `Name = expr` line each.
    public var adLines: [String]

    public init(
        vmType: String, name: String, workingDirectory: String, memoryMiB: Int, vcpus: Int,
        networking: Networking? = nil, checkpoint: Bool = false, vncConsole: Bool = false,
        hardwareVT: Bool = false, noOutputVM: Bool = false, disks: [Disk] = [], xen: XenBoot? = nil,
        vmware: VMwareFiles? = nil, transferInput: [String] = [], transferIntermediate: [String] = [],
        adLines: [String] = []
    ) {
        self.vmType = vmType
        self.name = name
        self.workingDirectory = workingDirectory
        self.memoryMiB = memoryMiB
        self.vcpus = vcpus
        self.networking = networking
        self.checkpoint = checkpoint
        self.vncConsole = vncConsole
        self.hardwareVT = hardwareVT
        self.noOutputVM = noOutputVM
        self.disks = disks
        self.xen = xen
        self.vmware = vmware
        self.transferInput = transferInput
        self.transferIntermediate = transferIntermediate
        self.adLines = adLines
    }

    public struct Networking: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable {
            case nat, bridge, user
        }
        public var kind: Kind
        /// Lower-case `xx:xx:xx:xx:xx:xx`, unicast.
        public var mac: String?
        /// The host bridge for `.bridge` (`VM_NETWORKING_BRIDGE_INTERFACE`).
        public var bridgeInterface: String?

        public init(kind: Kind, mac: String? = nil, bridgeInterface: String? = nil) {
            self.kind = kind
            self.mac = mac
            self.bridgeInterface = bridgeInterface
        }
    }

    public struct Disk: Sendable, Equatable {
        /// Absolute, resolved (no `..`, no symlink leaving the allowed roots).
        public var path: String
        /// Guest device name such as `vda`, `hda`, `sdb`, `xvda`.
        public var device: String
        public var writable: Bool
        /// Image format (`raw`, `qcow2`, ...), lower case: what the job declared, checked
        /// against the image's header (`raw` when the job declared none). `nil` is taken as raw.
        public var format: String?
        /// The file is an ISO image and becomes a CD-ROM.
        public var isCDROM: Bool
        /// The file sits in the working directory (it was transferred), as opposed to shared storage.
        public var transferred: Bool

        public init(path: String, device: String, writable: Bool, format: String? = nil, isCDROM: Bool = false, transferred: Bool = true) {
            self.path = path
            self.device = device
            self.writable = writable
            self.format = format
            self.isCDROM = isCDROM
            self.transferred = transferred
        }
    }

    /// How a Xen guest boots (`VMPARAM_Xen_Kernel`).
    public enum XenBoot: Sendable, Equatable {
        /// `included`: the guest's own kernel, through `XEN_BOOTLOADER`.
        case bootloader(String)
        /// `vmx`: a fully virtualised (HVM) guest.
        case hvm
        /// A kernel file, with optional initrd, the root device and kernel parameters.
        case kernel(path: String, initrd: String?, root: String, parameters: String?)
    }

    /// VMware's job files (`VMPARAM_VMware_*`), for HTCondor releases before 10.2.
    public struct VMwareFiles: Sendable, Equatable {
        public var vmxFile: String
        public var vmdkFiles: [String]
        public var directory: String?
        public var transfer: Bool
        public var snapshotDisk: Bool

        public init(vmxFile: String, vmdkFiles: [String], directory: String?, transfer: Bool, snapshotDisk: Bool) {
            self.vmxFile = vmxFile
            self.vmdkFiles = vmdkFiles
            self.directory = directory
            self.transfer = transfer
            self.snapshotDisk = snapshotDisk
        }
    }
}
