import Glibc
import VMCore

/// Checks on the job's files that catch a job's mistakes before libvirt does.
///
/// libvirt reports a missing disk or a raw file declared as qcow2 with generic error
/// numbers that look like host failures; checked here first, they become the tokens that
/// put the job on hold instead of taking the host's VM universe offline.
enum JobFiles {
    static func precheck(_ job: JobDescription) throws(VMGAHPError) {
        let xen = job.vmType == "xen"
        for disk in job.disks {
            guard isFile(disk.path) else {
                throw VMGAHPError.job(xen ? .xenInvalidDiskParam : .kvmInvalidDiskParam, "disk \(disk.path) does not exist or is not a file")
            }
            if disk.format == "qcow2", !hasQcow2Magic(disk.path) {
                throw VMGAHPError.job(.badImage, "disk \(disk.path) is declared qcow2 but is not in qcow2 format")
            }
        }
        if case .kernel(let kernel, let initrd, _, _)? = job.xen {
            guard isFile(kernel) else { throw VMGAHPError.job(.xenKernelNotFound, "Xen kernel \(kernel) not found") }
            if let initrd, !isFile(initrd) { throw VMGAHPError.job(.xenInitrdNotFound, "Xen initrd \(initrd) not found") }
        }
    }

    static func isFile(_ path: String) -> Bool {
        var st = stat()
        guard stat(path, &st) == 0 else { return false }
        let type = st.st_mode & S_IFMT
        return type == S_IFREG || type == S_IFBLK
    }

    /// qcow2 images start with `QFI\xfb`.
    static func hasQcow2Magic(_ path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4)
        guard read(fd, &head, 4) == 4 else { return false }
        return head == [0x51, 0x46, 0x49, 0xFB]
    }
}
