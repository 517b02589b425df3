import FoundationEssentials
import Glibc
import VMCore

/// HTCondor's checkpoint files in the job's working directory: the saved memory image
/// `xen.mem.ckpt` (also the hard-suspend file) and `xen.mem.ckpt.timestamp`.
///
/// Restart rule (HTCondor's, made to work): a START restores the saved image instead of
/// booting when both files are present, the timestamp file holds an integer T, and every
/// writable disk's modification time, in whole seconds, equals T. CHECKPOINT makes that
/// true by stamping the writable disks with T when it writes the timestamp, so any later
/// write to a disk (the guest ran on after a RESUME) invalidates the memory image.
/// HTCondor also demanded `xen_vm.config`, a file it no longer writes, so its restore
/// path never ran. A restart through a file transfer that does not keep modification
/// times boots afresh, which is safe.
///
/// Both files go through `WorkingDirectoryFiles`: created fresh by the gahp before libvirt writes
/// them, read only as plain files, and a link, FIFO or device planted under either name
/// is the job's fault.
struct CheckpointFiles: Sendable {
    static let memoryName = "xen.mem.ckpt"
    static let timestampName = memoryName + ".timestamp"
    /// `UTIME_OMIT` (a macro Swift does not import): leave that time as it is.
    static let keepTime = (1 << 30) - 2
    let directory: WorkingDirectoryFiles
    var memory: String { directory.path.appendingPath(Self.memoryName) }
    var timestamp: String { directory.path.appendingPath(Self.timestampName) }

    init(_ job: JobDescription, jobOwner: FileOwner?) {
        let code: VMGAHPError.Code = job.vmType == "xen" ? .xenMismatchedCheckpoint : .kvmMismatchedCheckpoint
        directory = WorkingDirectoryFiles(path: job.workingDirectory, jobOwner: jobOwner, code: code)
    }

    /// Whether a memory image is there; a planted file under its name is refused.
    func hasMemoryImage() throws(VMGAHPError) -> Bool {
        try directory.requirePlainOrAbsent(Self.memoryName) == .plain
    }

    /// Makes way for a save: old checkpoint files go, and the memory file libvirt is about
    /// to write is created fresh by the gahp.
    func prepareSave() throws(VMGAHPError) {
        directory.removeIfPlain(Self.timestampName)
        try directory.create(Self.memoryName)
    }

    /// Writes the timestamp and stamps the writable disks with it.
    func seal(disks: [JobDescription.Disk], now: Date = Date()) throws(VMGAHPError) {
        let seconds = Int(now.timeIntervalSince1970)
        for disk in disks where disk.writable {
            var times = [timespec(tv_sec: seconds, tv_nsec: Self.keepTime), timespec(tv_sec: seconds, tv_nsec: 0)]
            guard utimensat(AT_FDCWD, disk.path, &times, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw VMGAHPError.host(.cannotCreateCheckpointFiles, "stamping \(disk.path): \(WorkingDirectoryFiles.errorText())")
            }
        }
        try directory.write(Self.timestampName, Array("\(seconds)\n".utf8))
    }

    /// Whether a START may restore the memory image (see the rule above).
    func isRestorable(disks: [JobDescription.Disk]) throws(VMGAHPError) -> Bool {
        guard try hasMemoryImage(),
              let bytes = directory.read(Self.timestampName, limit: 64),
              let stamp = Int(String(decoding: bytes, as: UTF8.self).trimmed)
        else { return false }
        return disks.filter(\.writable).allSatisfy { disk in
            var info = stat()
            return lstat(disk.path, &info) == 0 && info.st_mtim.tv_sec == stamp
        }
    }

    func removeAll() {
        directory.removeIfPlain(Self.memoryName)
        directory.removeIfPlain(Self.timestampName)
    }
}
