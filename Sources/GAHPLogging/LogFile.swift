#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import VMCore

/// An append-only log file that rotates itself to `<path>.old`.
///
/// Several gahps (one per running VM) share one `VM_GAHP_LOG`, so the file's size and identity
/// are taken from the path before each write rather than remembered: a rotation done by a sibling
/// process is noticed and the new file is opened. Failures never propagate: a log line that
/// cannot be written is dropped and the next write tries again.
struct LogFile: ~Copyable {
    let path: String
    /// Given the file whenever it is opened (created, rotated, or left by root before).
    let owner: FileOwner?
    private var descriptor: Int32 = -1
    /// Device and inode of the open file, to notice that the path now names another file.
    private var identity: (dev: UInt64, ino: UInt64) = (0, 0)

    init(path: String, owner: FileOwner? = nil) {
        self.path = path
        self.owner = owner
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends `bytes` in one `write` (atomic for `O_APPEND` on local files, so lines of sibling
    /// processes do not interleave), rotating first if the file would exceed `maxBytes`.
    mutating func append(_ bytes: [UInt8], maxBytes: Int) {
        guard let current = currentFile() else { return }
        if maxBytes > 0, current.isRegular, current.size > 0, current.size + bytes.count > maxBytes {
            rotate()
            guard currentFile() != nil else { return }
        }
        if !Self.writeAll(descriptor, bytes) { closeDescriptor() }
    }

    /// Ensures the descriptor refers to what `path` names now; returns its size and kind.
    private mutating func currentFile() -> (size: Int, isRegular: Bool)? {
        var status = stat()
        if descriptor >= 0 {
            let named = stat(path, &status) == 0
            if named, UInt64(status.st_dev) == identity.dev, UInt64(status.st_ino) == identity.ino {
                return (Int(status.st_size), (status.st_mode & S_IFMT) == S_IFREG)
            }
            closeDescriptor()
        }
        guard openForAppending(), fstat(descriptor, &status) == 0 else {
            closeDescriptor()
            return nil
        }
        // Only a regular file is handed over: `VM_GAHP_LOG = /dev/null` must keep its owner.
        if let owner, (status.st_mode & S_IFMT) == S_IFREG, status.st_uid != owner.uid || status.st_gid != owner.gid {
            _ = fchown(descriptor, owner.uid, owner.gid)
        }
        identity = (UInt64(status.st_dev), UInt64(status.st_ino))
        return (Int(status.st_size), (status.st_mode & S_IFMT) == S_IFREG)
    }

    /// Opens for appending. Non-blocking open so a FIFO without a reader fails instead of
    /// hanging the gahp; descriptors 0–2 are never kept, so a process started with closed
    /// standard streams cannot end up writing log lines into its protocol channel.
    private mutating func openForAppending() -> Bool {
        let flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NONBLOCK
        var fd = open(path, flags, 0o644)
        guard fd >= 0 else { return false }
        if fd <= 2 {
            let high = fcntl(fd, F_DUPFD_CLOEXEC, 3)
            close(fd)
            guard high >= 0 else { return false }
            fd = high
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        descriptor = fd
        return true
    }

    /// Moves the full file aside (replacing an older `.old`). Only regular files are rotated:
    /// `VM_GAHP_LOG = /dev/null` must never rename a device.
    private mutating func rotate() {
        closeDescriptor()
        _ = rename(path, path + ".old")
    }

    mutating func closeDescriptor() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
    }

    /// Writes everything, retrying after signals and partial writes.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }
}
