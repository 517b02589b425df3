import VMCore

/// HTCondor's rule (§3.7) that a checkpointing KVM or Xen job keeps its disks on shared
/// storage: a checkpoint saves memory only, and a transferred disk would come back out of
/// step with it.
enum CheckpointRule {
    /// The memory image a checkpoint leaves in the working directory.
    static let memoryImage = "xen.mem.ckpt"

    /// Refuses a checkpointing job with a transferred disk, unless it is restarting from a
    /// checkpoint (`TransferIntermediate` names the memory image and it is in the working
    /// directory), where HTCondor skips the check too. HTCondor also demands its never-written
    /// `xen_vm.config`; we need only the image, since the domain is rebuilt from the ad.
    static func check(_ job: JobDescription, files: FileConfinement) throws(VMGAHPError) {
        guard job.checkpoint, let disk = job.disks.first(where: \.transferred), !isRestart(job, files: files) else { return }
        throw VMGAHPError.job(job.vmType == "xen" ? .xenMismatchedCheckpoint : .kvmMismatchedCheckpoint,
            "the job asks for checkpoints, but its disk \(TextRules.quoted(disk.path)) was transferred; a checkpointing job must keep all disks on shared storage (an absolute path in an allowed disk root)")
    }

    static func isRestart(_ job: JobDescription, files: FileConfinement) -> Bool {
        guard job.transferIntermediate.contains(where: { $0.split(separator: "/").last == Substring(memoryImage) }) else {
            return false
        }
        if case .success(let image) = files.resolve(memoryImage, kind: "checkpoint") { return image.transferred }
        return false
    }
}
