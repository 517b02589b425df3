import VMCore

#if canImport(Glibc)
import Glibc
#endif

/// The two things the VMware driver does to the job's working directory itself.
enum JobDirectory {
    /// The first component of `path` that is a symbolic link, or nil. VMware misbehaves on
    /// .vmx paths through symlinks ("A file was not found" when it registers or snapshots
    /// the VM), so such a working directory is refused before VMware is asked.
    static func symlinkComponent(of path: String) -> String? {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var info = stat()
            if lstat(prefix, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK { return prefix }
        }
        return nil
    }

    /// Creates `<directory>/<name>` holding `text`, never following or reusing what is
    /// there already (`O_CREAT|O_EXCL|O_NOFOLLOW` relative to the opened directory), owned by
    /// the job's user so VMware, running as them, can update it.
    static func createExclusively(_ name: String, in directory: String, text: String, owner: FileOwner?) throws(VMGAHPError) {
        let dir = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dir >= 0 else { throw VMGAHPError.host(.internal, "cannot open the working directory \(directory): \(String(cString: strerror(errno)))") }
        defer { close(dir) }
        let fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            if errno == EEXIST { throw VMGAHPError.job(.badImage, "the working directory already holds \(name); the gahp writes that file itself") }
            throw VMGAHPError.host(.internal, "cannot create \(directory)/\(name): \(reason)")
        }
        defer { close(fd) }
        if let owner, fchown(fd, owner.uid, owner.gid) != 0 {
            throw VMGAHPError.host(.internal, "cannot give \(directory)/\(name) to uid \(owner.uid): \(String(cString: strerror(errno)))")
        }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw VMGAHPError.host(.internal, "cannot write \(directory)/\(name): \(String(cString: strerror(errno)))") }
            written += count
        }
    }

    /// Sets the modification time of the working directory's files to now, so that file
    /// transfer sends a checkpoint's files back; VMware's disks, ISOs, logs and locks and
    /// the job's own .vmx are left alone, as HTCondor did. Links are never followed.
    /// Linux's `UTIME_NOW` (a macro Swift does not import).
    private static let utimeNow = (1 << 30) - 1

    static func touchForCheckpoint(_ directory: String, except original: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var touched: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            let lower = name.lowercased()
            if name == "." || name == ".." || directory + "/" + name == original { continue }
            if [".vmdk", ".iso", ".log", ".lck"].contains(where: { lower.hasSuffix($0) }) { continue }
            var info = stat()
            guard fstatat(dirfd(dir), name, &info, AT_SYMLINK_NOFOLLOW) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            var now = [timespec(tv_sec: 0, tv_nsec: utimeNow), timespec(tv_sec: 0, tv_nsec: utimeNow)]
            if utimensat(dirfd(dir), name, &now, AT_SYMLINK_NOFOLLOW) == 0 { touched.append(name) }
        }
        return touched.sorted()
    }
}
