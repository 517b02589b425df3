import VMCore

/// VMware's job files (`VMPARAM_VMware_*`, HTCondor before 10.2).
enum VMwareReader {
    /// The VMX is refused with HTCondor's VMX token; a VMDK that cannot be used with
    /// `VMGAHP_ERR_BAD_IMAGE` (no VMware token fits, and a missing or escaping disk image is
    /// the user's mistake, which that token puts on hold).
    static func read(_ fields: AdFields, files: FileConfinement) throws(VMGAHPError) -> JobDescription.VMwareFiles {
        let transfer = try fields.flag("VMPARAM_VMware_Transfer", .vmwareNoVMXParam)
        let snapshotDisk = fields.ad.evaluate("VMPARAM_VMware_SnapshotDisk") == .undefined
            ? true : try fields.flag("VMPARAM_VMware_SnapshotDisk", .vmwareNoVMXParam)
        var directory: String?
        if let raw = try fields.text("VMPARAM_VMware_Dir", .vmwareNoVMXParam, maxLength: FileConfinement.maxPathLength) {
            switch files.resolve(TextRules.trimmed(raw), kind: "VMware directory", directoryAllowed: true) {
            case .success(let dir): directory = dir.path
            case .failure(let problem): throw VMGAHPError.job(.vmwareNoVMXParam, problem.message)
            }
        }
        guard let vmx = try fields.text("VMPARAM_VMware_VMX_File", .vmwareNoVMXParam, maxLength: FileConfinement.maxPathLength) else {
            throw VMGAHPError.job(.vmwareNoVMXParam, "the VMware job ad has no VMPARAM_VMware_VMX_File")
        }
        // Transferred files are in the working directory; others in VMware_Dir.
        let base = transfer ? nil : directory
        let vmxFile = try locate(TextRules.trimmed(vmx), in: base, files: files, kind: "VMware VMX", code: .vmwareNoVMXParam)
        var vmdkFiles: [String] = []
        for vmdk in try fields.list("VMPARAM_VMware_VMDK_Files", .badImage) {
            vmdkFiles.append(try locate(vmdk, in: base, files: files, kind: "VMware VMDK", code: .badImage))
        }
        return JobDescription.VMwareFiles(vmxFile: vmxFile, vmdkFiles: vmdkFiles, directory: directory, transfer: transfer, snapshotDisk: snapshotDisk)
    }

    private static func locate(_ name: String, in directory: String?, files: FileConfinement, kind: String, code: VMGAHPError.Code) throws(VMGAHPError) -> String {
        let full = if let directory, !name.hasPrefix("/") { directory + "/" + name } else { name }
        switch files.resolve(full, kind: kind) {
        case .success(let file): return file.path
        case .failure(let problem): throw VMGAHPError.job(code, problem.message)
        }
    }
}
