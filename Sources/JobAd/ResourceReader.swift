import VMCore

/// Memory and vCPUs a job asks for, checked against the host.
enum ResourceReader {
    /// Below this HTCondor raises the memory, as guests do not boot with less.
    static let minimumMemoryMiB = 32

    /// `JobVMMemory`, else `RequestMemory`, in MiB.
    static func memoryMiB(_ fields: AdFields, policy: HostPolicy) throws(VMGAHPError) -> Int {
        guard let memory = try fields.firstInteger(["JobVMMemory", "RequestMemory"], .noVMMemoryParam) else {
            throw VMGAHPError.job(.noVMMemoryParam, "the job ad has neither JobVMMemory nor RequestMemory")
        }
        guard memory > 0, memory <= policy.maxMemoryMiB else {
            throw VMGAHPError.job(.tooMuchMemoryRequest,
                "the job asks for \(memory) MiB of memory; this host gives a VM 1 to \(policy.maxMemoryMiB) MiB (VM_MEMORY)")
        }
        return max(memory, minimumMemoryMiB)
    }

    /// `JobVM_VCPUS`, else `RequestCpus`, else 1.
    ///
    /// HTCondor has no token for an unusable vCPU count (it lets libvirt fail, which requeues
    /// the job and takes the host offline). The count is the job's mistake, so it is refused
    /// with the hold token for hardware the host cannot give a VM (spec §6.2).
    static func vcpus(_ fields: AdFields, policy: HostPolicy) throws(VMGAHPError) -> Int {
        let requested = try fields.firstInteger(["JobVM_VCPUS", "RequestCpus"], .mismatchedHardwareVT) ?? 1
        guard requested >= 1, requested <= policy.hostCPUs else {
            throw VMGAHPError.job(.mismatchedHardwareVT,
                "the job asks for \(requested) vCPUs; this host gives a VM 1 to \(policy.hostCPUs)")
        }
        return requested
    }
}
