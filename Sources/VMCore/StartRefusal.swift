/// Which token a failed START reports: the one classification of START failures (spec §6.2).
///
/// The starter holds the job for exactly 13 tokens and, for any other, requeues it and takes
/// the host's VM universe offline (reference §8.4). Throw sites say what went wrong (the most
/// precise of HTCondor's tokens) and whose fault it is; this table turns that into what the
/// starter must see:
/// - a **job** fault always reports a hold token: its own when it is one, else the closest;
/// - a **host** fault never reports a hold token.
extension VMGAHPError {
    /// The token a START refused with this error reports, for a job of `vmType`.
    public func startToken(vmType: String) -> Code {
        switch fault {
        case .job: return code.putsJobOnHold ? code : Self.closestHoldToken(for: code, vmType: vmType.lowercased())
        case .host: return code.putsJobOnHold ? .internal : code
        }
    }

    /// The hold token for a job fault whose own token would requeue the job.
    static func closestHoldToken(for code: Code, vmType: String) -> Code {
        switch code {
        // the memory the job asks for
        case .tooMuchMemoryRequest:
            return .noVMMemoryParam
        // hardware the job asks for that a VM here cannot have (NIC, vCPUs, devices)
        case .mismatchedNetworking, .mismatchedNetworkingType:
            return .mismatchedHardwareVT
        // the Xen kernel's command line
        case .xenInvalidGuestKernel:
            return vmType == "xen" ? .xenNoKernelParam : jobDescriptionToken(vmType)
        // everything else the VM is built from (its name, type, file lists, flags, images)
        default:
            return jobDescriptionToken(vmType)
        }
    }

    /// The token for "the VM this ad describes cannot be built": the type's invalid-disk
    /// token (disks are what the ad mostly describes), `BAD_IMAGE` for types without one.
    public static func jobDescriptionToken(_ vmType: String) -> Code {
        switch vmType.lowercased() {
        case "kvm": .kvmInvalidDiskParam
        case "xen": .xenInvalidDiskParam
        default: .badImage
        }
    }
}
