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
    /// HTCondor has no token for too many vCPUs (it lets libvirt fail, which requeues the
    /// job with an empty reason). None of its tokens describes the problem: the memory one
    /// would send the admin looking at memory, and the starter treats every non-hold token
    /// alike (requeue, reason shown as the host's `VMOfflineReason`). So the refusal is
    /// `.unclassified`: its message, which names only numbers, becomes that reason verbatim
    /// and says exactly what is wrong.
    static func vcpus(_ fields: AdFields, policy: HostPolicy) throws(VMGAHPError) -> Int {
        let requested = try fields.firstInteger(["JobVM_VCPUS", "RequestCpus"], .unclassified) ?? 1
        guard requested >= 1, requested <= policy.hostCPUs else {
            throw VMGAHPError.job(.unclassified,
                "the job asks for \(requested) vCPUs; this host gives a VM 1 to \(policy.hostCPUs)")
        }
        return requested
    }
}
