import ClassAd
import VMCore

/// Turns the job ad the starter sent into a `JobDescription` every driver can trust, or
/// the `VMGAHPError` HTCondor would answer START with.
///
/// The gahp runs as root on values the job's owner wrote, so this is where the safety
/// rules live: job files confined to the working directory and the admin's disk roots,
/// names, devices, formats and MACs matched against strict patterns, numbers in range,
/// and every string free of control characters.
public enum JobAdReader {
    /// START's checks in HTCondor's order (§3.2): ad received, `VM_WORKING_DIR`,
    /// `JobVMType`, requested type == `JobVMType` == gahp type; then the common
    /// parameters (memory, vCPUs, networking, checkpoint, VM name, hardware VT, no-output),
    /// then the type's own (Xen boot, disks, checkpoint vs. transferred disks; VMware files).
    ///
    /// `ad` is empty when no ad was received. `adLines` are the ad's lines as received,
    /// kept for external XML generators (lines with control characters are left out).
    /// `jobUser` (`VMGAHP_USER_UID`/`GID`) decides about files outside the working directory
    /// when the gahp runs as root; without one, such files are refused.
    public static func describe(
        _ ad: ClassAd, adLines: [String], requestedType: String, gahpType: String, policy: HostPolicy,
        jobUser: FileOwner? = nil
    ) throws(VMGAHPError) -> JobDescription {
        // What the starter always sends (an ad, VM_WORKING_DIR, JobVMType) missing is the
        // host's side; a value the job wrote being unusable is the job's (spec §6.2).
        guard !ad.attributeNames.isEmpty else {
            throw VMGAHPError.host(.noJobClassAdInfo, "no job ad was received before START")
        }
        let fields = AdFields(ad: ad)
        guard let workingDirectory = try fields.text("VM_WORKING_DIR", .noJobClassAdInfo) else {
            throw VMGAHPError.host(.noJobClassAdInfo, "the job ad has no VM_WORKING_DIR string")
        }
        let access = JobUserAccess(jobUser: jobUser)
        guard let files = FileConfinement(workingDirectory: workingDirectory, allowedRoots: policy.allowedDiskRoots, access: access) else {
            throw VMGAHPError.host(.noJobClassAdInfo, "VM_WORKING_DIR \(TextRules.quoted(workingDirectory)) is not an existing absolute directory")
        }
        guard let jobType = try fields.text("JobVMType", .noJobClassAdInfo, maxLength: 64) else {
            throw VMGAHPError.host(.noJobClassAdInfo, "the job ad has no JobVMType string")
        }
        let vmType = jobType.lowercased()
        guard vmType == requestedType.lowercased(), vmType == gahpType.lowercased() else {
            throw VMGAHPError.host(.noSupportedVMType,
                "START asks for \(TextRules.quoted(requestedType)), the job for \(TextRules.quoted(jobType)), this gahp runs \(TextRules.quoted(gahpType))")
        }

        var job = try common(fields, vmType: vmType, policy: policy)
        job.workingDirectory = files.workingDirectory
        job.adLines = adLines.filter(TextRules.isClean)
        let described = VMGAHPError.jobDescriptionToken(vmType)
        job.transferInput = try fields.list("TransferInput", described)
        job.transferIntermediate = try fields.list("TransferIntermediate", described)

        switch vmType {
        case "kvm":
            job.disks = try DiskReader.read(fields, files: files, isXen: false)
            try CheckpointRule.check(job, files: files)
        case "xen":
            let boot = try XenBootReader.read(fields, files: files, jobHardwareVT: job.hardwareVT, policy: policy)
            job.disks = try DiskReader.read(fields, files: files, isXen: true)
            job.xen = try XenBootReader.addingParameters(fields, to: boot)
            try CheckpointRule.check(job, files: files)
        case "vmware":
            job.vmware = try VMwareReader.read(fields, files: files)
        default:
            throw VMGAHPError.host(.noSupportedVMType, "vm type \(TextRules.quoted(jobType)) is not kvm, xen or vmware")
        }
        return job
    }

    /// HTCondor's `parseCommonParamFromClassAd`, in its order.
    private static func common(_ fields: AdFields, vmType: String, policy: HostPolicy) throws(VMGAHPError) -> JobDescription {
        let memory = try ResourceReader.memoryMiB(fields, policy: policy)
        let vcpus = try ResourceReader.vcpus(fields, policy: policy)
        let networking = try NetworkingReader.read(fields, vmType: vmType, policy: policy)
        let checkpointCode: VMGAHPError.Code = vmType == "xen" ? .xenMismatchedCheckpoint : .kvmMismatchedCheckpoint
        let checkpoint = try fields.flag("JobVMCheckpoint", checkpointCode)
        let name = try vmName(fields)
        let hardwareVT = try fields.flag("JobVMHardwareVT", .mismatchedHardwareVT)
        if hardwareVT && !policy.hardwareVT {
            throw VMGAHPError.job(.mismatchedHardwareVT, "the job asks for hardware virtualization, which VM_HARDWARE_VT does not offer on this host")
        }
        return JobDescription(
            vmType: vmType, name: name, workingDirectory: "", memoryMiB: memory, vcpus: vcpus,
            networking: networking, checkpoint: checkpoint,
            vncConsole: try fields.flag("JobVMVNCConsole", .mismatchedHardwareVT),
            hardwareVT: hardwareVT,
            noOutputVM: try fields.flag("VMPARAM_No_Output_VM", VMGAHPError.jobDescriptionToken(vmType)))
    }

    /// HTCondor answers `VMGAHP_ERR_CRITICAL` when it cannot build the name. Attributes the
    /// schedd always sets (`User`, `ClusterId`, `ProcId`) missing means the ad did not come
    /// from a real starter: the host's side, as in HTCondor. A `User` present but unusable
    /// (see `DomainName.make`) is the job's: it fails on every host alike.
    private static func vmName(_ fields: AdFields) throws(VMGAHPError) -> String {
        guard let user = try fields.text("User", .critical, maxLength: DomainName.maxLength) else {
            throw VMGAHPError.host(.critical, "the job ad has no User string to name the VM after")
        }
        guard let cluster = try fields.integer("ClusterId", .critical), let proc = try fields.integer("ProcId", .critical) else {
            throw VMGAHPError.host(.critical, "the job ad lacks ClusterId or ProcId to name the VM after")
        }
        guard let name = DomainName.make(user: user, clusterId: cluster, procId: proc) else {
            throw VMGAHPError.job(.critical,
                "cannot name the VM after User \(TextRules.quoted(user)), ClusterId \(cluster), ProcId \(proc): only letters, digits and . _ @ + - are allowed (not leading -), ids must be >= 0")
        }
        return name
    }
}
