import DiskImage
import Glibc
import VMCore

/// Checks on the job's files that catch a job's mistakes before libvirt does, and the last
/// look at every image before QEMU gets it.
///
/// libvirt reports a missing disk or a raw file declared as qcow2 with generic error
/// numbers that look like host failures; checked here first, they become the tokens that
/// put the job on hold instead of taking the host's VM universe offline. The image headers
/// are inspected again (START's job-ad check did it once) so that the window in which an
/// image could change before QEMU opens it is as short as it can be; the domain XML's
/// explicit format and empty backing chain cover what is left.
enum JobFiles {
    static func precheck(_ job: JobDescription) throws(VMGAHPError) {
        let xen = job.vmType == "xen"
        for disk in job.disks {
            let fd = open(disk.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
            defer { if fd >= 0 { close(fd) } }
            guard fd >= 0, let bytes = FileBytes(descriptor: fd) else {
                throw VMGAHPError.job(xen ? .xenInvalidDiskParam : .kvmInvalidDiskParam, "disk \(disk.path) does not exist or is not a regular file")
            }
            if case .failure(let refusal) = ImageHeader.check(bytes, declared: disk.format) {
                throw VMGAHPError.job(.badImage, "disk \(disk.path) \(refusal.message)")
            }
        }
        if case .kernel(let kernel, let initrd, _, _)? = job.xen {
            guard isFile(kernel) else { throw VMGAHPError.job(.xenKernelNotFound, "Xen kernel \(kernel) not found") }
            if let initrd, !isFile(initrd) { throw VMGAHPError.job(.xenInitrdNotFound, "Xen initrd \(initrd) not found") }
        }
    }

    static func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// The job's working directory for the files the gahp makes there; a planted file is
    /// reported with the job's disk token.
    static func directory(_ job: JobDescription, jobOwner: FileOwner?) -> WorkingDirectoryFiles {
        WorkingDirectoryFiles(path: job.workingDirectory, jobOwner: jobOwner, code: .badImage)
    }

    /// Removes a regular file, never what a link points at, never a directory.
    static func removeIfPlain(_ path: String) {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { unlink(path) }
    }
}
