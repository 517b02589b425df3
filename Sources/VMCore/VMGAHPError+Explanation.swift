/// What each of HTCondor's tokens means, in a sentence an admin can act on, and what the
/// starter does when START fails with it (reference §8.4). Shown by the interactive mode;
/// the wire carries only the token.
extension VMGAHPError.Code {
    public var explanation: String {
        switch self {
        case .vmNotFound: "No VM with that id (or name) exists in this gahp."
        case .internal: "Something inside the gahp or the hypervisor failed; VM_GAHP_LOG has the details."
        case .invalidOperation: "The VM is not in a state that allows this operation (e.g. resuming a running VM)."
        case .critical: "A critical failure: the gahp could not talk to the hypervisor."
        case .cannotCreateISOFile: "The ISO image for the job's input files could not be created."
        case .cannotReadCDROMFile: "A file meant for the job's CD-ROM could not be read."
        case .cannotCreateArgFile: "The file holding the job's arguments could not be written."
        case .noJobClassAdInfo: "START came without a job ad: send CLASSAD, the ad's lines and CLASSAD_END first."
        case .noSupportedVMType: "This gahp does not serve the VM type the job asks for."
        case .vmNotEnoughMemory: "The host has not enough free memory for the VM right now."
        case .xenInvalidGuestKernel: "The Xen guest kernel is not usable."
        case .xenVBDConnectError: "Xen could not attach one of the job's disks."
        case .xenConfigFileError: "The Xen domain configuration could not be written."
        case .badImage: "A disk image is unusable: its format is wrong or it refers to files it must not (a backing file)."
        case .cannotCreateCheckpointFiles: "The checkpoint files could not be written in the job's directory."
        case .noSupportCheckpoint: "This VM cannot be checkpointed (the job did not ask for checkpoints, or its disks do not allow them)."
        case .invalidSuspendFile: "The saved memory image to resume from is missing or unusable."
        case .noSupportSuspend: "This VM cannot be suspended."
        case .noVMMemoryParam: "The job ad has no usable JobVMMemory, or asks for less than 1 MiB or more than VM_MEMORY."
        case .tooMuchMemoryRequest: "The job asks for more memory than VM_MEMORY allows on this host."
        case .mismatchedNetworking: "The job wants networking but this host offers none (VM_NETWORKING)."
        case .mismatchedNetworkingType: "The job's networking type is not one this host offers (VM_NETWORKING_TYPE)."
        case .mismatchedHardwareVT: "The job asks for virtual hardware this host does not offer: hardware virtualization, more vCPUs, networking (its type or MAC), or a VMware snapshot on Player."
        case .xenNoKernelParam: "The Xen job names no kernel (xen_kernel)."
        case .xenNoRootDeviceParam: "The Xen job's kernel needs a root device (xen_root) and names none."
        case .xenNoDiskParam: "The Xen job names no disk (vm_disk)."
        case .xenInvalidDiskParam: "A Xen disk in vm_disk is malformed, missing or not open to the job user, or another ad value the VM is built from (User, ids) is unusable."
        case .xenKernelNotFound: "The Xen kernel file the job names does not exist."
        case .xenInitrdNotFound: "The Xen initrd file the job names does not exist."
        case .xenNoCDROMDevice: "The Xen job's CD-ROM needs a device name and has none."
        case .xenMismatchedCheckpoint: "The Xen job's checkpoint does not match its disks."
        case .kvmNoDiskParam: "The KVM job names no disk (vm_disk)."
        case .kvmInvalidDiskParam: "A KVM disk in vm_disk is malformed, missing or not open to the job user, or another ad value the VM is built from (User, ids) is unusable."
        case .kvmNoCDROMDevice: "The KVM job's CD-ROM needs a device name and has none."
        case .kvmMismatchedCheckpoint: "The KVM job's checkpoint does not match its disks."
        case .vmwareNoVMXParam: "The VMware job names no .vmx file."
        }
    }

    /// What HTCondor's starter does with a job whose START fails with this token.
    public var starterReaction: String {
        putsJobOnHold
            ? "the starter would put the job on hold (the job's fault)"
            : "the starter would requeue the job and take this host offline for VM jobs (HasVM = False)"
    }
}
