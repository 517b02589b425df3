import VMCore

/// How a Xen guest boots (`VMPARAM_Xen_Kernel` and friends).
enum XenBootReader {
    /// Linux's `COMMAND_LINE_SIZE` on x86.
    static let maxKernelParameters = 2048

    static func read(_ fields: AdFields, files: FileConfinement, jobHardwareVT: Bool, policy: HostPolicy) throws(VMGAHPError) -> JobDescription.XenBoot {
        guard let raw = try fields.text("VMPARAM_Xen_Kernel", .xenKernelNotFound, maxLength: FileConfinement.maxPathLength) else {
            throw VMGAHPError.job(.xenNoKernelParam, "the Xen job ad has no VMPARAM_Xen_Kernel")
        }
        let kernel = TextRules.trimmed(raw)
        switch kernel.lowercased() {
        case "included":
            guard let bootloader = policy.xenBootloader, FileConfinement.isPlausiblePath(bootloader) else {
                throw VMGAHPError.host(.critical, "the job boots its own kernel (xen_kernel = included), but XEN_BOOTLOADER is not set to a usable path")
            }
            return .bootloader(bootloader)
        case "vmx":
            guard jobHardwareVT else {
                throw VMGAHPError.job(.mismatchedHardwareVT, "xen_kernel = vmx needs JobVMHardwareVT = true")
            }
            return .hvm
        default:
            return try kernelBoot(kernel, fields, files: files)
        }
    }

    private static func kernelBoot(_ kernel: String, _ fields: AdFields, files: FileConfinement) throws(VMGAHPError) -> JobDescription.XenBoot {
        let kernelPath: String
        switch files.resolve(kernel, kind: "Xen kernel") {
        case .success(let file): kernelPath = file.path
        case .failure(let problem): throw VMGAHPError.job(.xenKernelNotFound, problem.message)
        }
        var initrdPath: String?
        if let initrd = try fields.text("VMPARAM_Xen_Initrd", .xenInitrdNotFound, maxLength: FileConfinement.maxPathLength),
           case let name = TextRules.trimmed(initrd), !name.isEmpty {
            switch files.resolve(name, kind: "Xen initrd") {
            case .success(let file): initrdPath = file.path
            case .failure(let problem): throw VMGAHPError.job(.xenInitrdNotFound, problem.message)
            }
        }
        guard let rawRoot = try fields.text("VMPARAM_Xen_Root", .xenNoRootDeviceParam, maxLength: 256) else {
            throw VMGAHPError.job(.xenNoRootDeviceParam, "a Xen job with its own kernel needs VMPARAM_Xen_Root")
        }
        let root = TextRules.trimmed(rawRoot)
        guard isRootDevice(root) else {
            throw VMGAHPError.job(.xenNoRootDeviceParam,
                "VMPARAM_Xen_Root \(TextRules.quoted(rawRoot)) is not a root device like /dev/xvda1 (letters, digits and / _ . : = - only)")
        }
        return .kernel(path: kernelPath, initrd: initrdPath, root: root, parameters: nil)
    }

    /// `VMPARAM_Xen_Kernel_Params` into a kernel boot. HTCondor reads them after the disk
    /// list, so a job with a bad disk list and bad parameters gets the disk token, as there.
    static func addingParameters(_ fields: AdFields, to boot: JobDescription.XenBoot) throws(VMGAHPError) -> JobDescription.XenBoot {
        guard case .kernel(let path, let initrd, let root, _) = boot,
              let raw = try fields.text("VMPARAM_Xen_Kernel_Params", .xenInvalidGuestKernel, maxLength: maxKernelParameters)
        else { return boot }
        guard TextRules.isMarkupSafe(raw) else {
            throw VMGAHPError.job(.xenInvalidGuestKernel, "VMPARAM_Xen_Kernel_Params \(TextRules.quoted(raw)) holds one of < > & ' \"")
        }
        let parameters = TextRules.trimmed(raw)
        return .kernel(path: path, initrd: initrd, root: root, parameters: parameters.isEmpty ? nil : parameters)
    }

    /// `/dev/xvda1`, `LABEL=root`, `UUID=...`, `PARTUUID=...`: what the kernel's `root=` takes.
    static func isRootDevice(_ root: String) -> Bool {
        !root.isEmpty && root.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "."),
                 UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }
}
