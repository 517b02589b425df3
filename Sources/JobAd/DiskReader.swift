import VMCore

/// `VMPARAM_vm_Disk` for KVM and Xen: split, checked, and every file confined.
enum DiskReader {
    static func read(_ fields: AdFields, files: FileConfinement, isXen: Bool) throws(VMGAHPError) -> [JobDescription.Disk] {
        let missing: VMGAHPError.Code = isXen ? .xenNoDiskParam : .kvmNoDiskParam
        let invalid: VMGAHPError.Code = isXen ? .xenInvalidDiskParam : .kvmInvalidDiskParam
        guard let text = try fields.text("VMPARAM_vm_Disk", invalid, maxLength: DiskList.maxLength) else {
            throw VMGAHPError.job(missing, "the job ad has no VMPARAM_vm_Disk")
        }
        let specs: [DiskSpec]
        do {
            specs = try DiskList.split(TextRules.trimmed(text))
        } catch {
            throw VMGAHPError.job(invalid, "VMPARAM_vm_Disk: \(error.message)")
        }
        var disks: [JobDescription.Disk] = []
        for spec in specs {
            let resolved: FileConfinement.Resolved
            switch files.resolve(spec.file, kind: "disk") {
            case .success(let file): resolved = file
            case .failure(let problem): throw VMGAHPError.job(invalid, "VMPARAM_vm_Disk: \(problem.message)")
            }
            // What the user named decides, not what a symlink points at. HTCondor matches `.iso`
            // anywhere in the path (so `my.isolated.img` became a CD-ROM); only the suffix counts here.
            let isCDROM = spec.file.lowercased().hasSuffix(".iso")
            if isCDROM && spec.writable {
                throw VMGAHPError.job(invalid, "VMPARAM_vm_Disk: \(TextRules.quoted(spec.file)) is an ISO image and becomes a CD-ROM, which cannot be writable")
            }
            disks.append(JobDescription.Disk(
                path: resolved.path, device: spec.device, writable: spec.writable, format: spec.format,
                isCDROM: isCDROM, transferred: resolved.transferred))
        }
        return disks
    }
}
