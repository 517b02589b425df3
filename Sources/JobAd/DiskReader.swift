import DiskImage
import VMCore

/// `VMPARAM_vm_Disk` for KVM and Xen: split, checked, every file confined, and every image's
/// header inspected (`DiskImage`): its real format must be the declared one (raw when none
/// is declared) and it must refer to no other file.
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
            switch files.resolve(spec.file, kind: "disk", writable: spec.writable) {
            case .success(let file): resolved = file
            case .failure(let problem): throw VMGAHPError.job(invalid, "VMPARAM_vm_Disk: \(problem.message)")
            }
            // What the user named decides, not what a symlink points at. HTCondor matches `.iso`
            // anywhere in the path (so `my.isolated.img` became a CD-ROM); only the suffix counts here.
            let isCDROM = spec.file.lowercased().hasSuffix(".iso")
            if isCDROM && spec.writable {
                throw VMGAHPError.job(invalid, "VMPARAM_vm_Disk: \(TextRules.quoted(spec.file)) is an ISO image and becomes a CD-ROM, which cannot be writable")
            }
            let format: ImageFormat
            switch inspect(resolved, declared: spec.format) {
            case .success(let found): format = found
            case .failure(let refusal):
                throw VMGAHPError.job(.badImage, "VMPARAM_vm_Disk: disk \(TextRules.quoted(spec.file)) (\(resolved.path)) \(refusal.message)")
            }
            disks.append(JobDescription.Disk(
                path: resolved.path, device: spec.device, writable: spec.writable, format: format.rawValue,
                isCDROM: isCDROM, transferred: resolved.transferred))
        }
        return disks
    }

    /// The header of the file as it was opened when it was confined.
    static func inspect(_ resolved: FileConfinement.Resolved, declared: String?) -> Result<ImageFormat, ImageRefusal> {
        guard let descriptor = resolved.file?.descriptor, let bytes = FileBytes(descriptor: descriptor) else {
            return .failure(ImageRefusal("is not a regular file"))
        }
        return ImageHeader.check(bytes, declared: declared)
    }
}
