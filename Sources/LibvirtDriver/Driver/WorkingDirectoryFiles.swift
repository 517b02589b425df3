import Glibc
import VMCore

/// The files the gahp itself names in a job's working directory (the console log, the
/// checkpoint's memory image and timestamp), created, read and removed without ever
/// following a link the job left there.
///
/// The gahp runs as root and libvirt opens these names as root: a symbolic link, FIFO,
/// device or hard link planted under one of them would let a job write to, read from or
/// block on a host file. So every name is looked at through the working directory's own
/// descriptor (`openat`, `O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`): a file the gahp writes is
/// created fresh (`O_CREAT | O_EXCL`), a stale one is removed only when it is a plain file
/// (regular, one link) owned by the job or the gahp, and anything else is the job's fault.
struct WorkingDirectoryFiles: Sendable {
    let path: String
    /// Who may own a file the gahp reuses or removes: the job user, and the gahp itself.
    let owners: Set<uid_t>
    /// The job fault to report a planted file with.
    let code: VMGAHPError.Code

    init(path: String, jobOwner: FileOwner?, code: VMGAHPError.Code) {
        self.path = path
        self.owners = Set([geteuid()] + (jobOwner.map { [$0.uid] } ?? []))
        self.code = code
    }

    enum Entry: Equatable {
        case absent
        /// A regular file with one link, owned by the job or the gahp.
        case plain
        /// Anything else: a link, FIFO, socket, device, directory, hard link or a stranger's file.
        case foreign(String)
    }

    /// What stands at `name` now, without following it.
    func entry(_ name: String) -> Entry {
        guard let dir = try? openDirectory() else { return .foreign("cannot be examined: the working directory cannot be opened") }
        defer { close(dir) }
        return entry(name, in: dir)
    }

    private func entry(_ name: String, in dir: Int32) -> Entry {
        var info = stat()
        guard fstatat(dir, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
            return errno == ENOENT ? .absent : .foreign("cannot be examined (\(Self.errorText()))")
        }
        return describe(info)
    }

    private func describe(_ info: stat) -> Entry {
        switch info.st_mode & S_IFMT {
        case S_IFREG:
            if info.st_nlink != 1 { return .foreign("has \(info.st_nlink) hard links") }
            if !owners.contains(info.st_uid) { return .foreign("belongs to uid \(info.st_uid), not the job") }
            return .plain
        case S_IFLNK: return .foreign("is a symbolic link")
        case S_IFIFO: return .foreign("is a FIFO")
        case S_IFSOCK: return .foreign("is a socket")
        case S_IFCHR, S_IFBLK: return .foreign("is a device node")
        case S_IFDIR: return .foreign("is a directory")
        default: return .foreign("is not a regular file")
        }
    }

    /// Throws the job fault for a name that is neither absent nor a plain file.
    func requirePlainOrAbsent(_ name: String) throws(VMGAHPError) -> Entry {
        let found = entry(name)
        if case .foreign(let what) = found { throw refusal(name, what) }
        return found
    }

    /// Makes `name` a new, empty file of the gahp's (mode 0600, given to the job user by
    /// the caller): a plain file there is removed first, anything else refused.
    /// `keepExisting`: a plain file is kept as it is (the console log is appended to).
    func create(_ name: String, keepExisting: Bool = false) throws(VMGAHPError) {
        if let fd = try open(name, keepExisting: keepExisting) { close(fd) }
    }

    /// Writes `bytes` to a freshly created `name` (see `create`), through the descriptor
    /// that created it.
    func write(_ name: String, _ bytes: [UInt8]) throws(VMGAHPError) {
        guard let fd = try open(name, keepExisting: false) else { return }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + done, bytes.count - done) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { throw VMGAHPError.host(.cannotCreateCheckpointFiles, "writing \(path)/\(name): \(Self.errorText())") }
            done += wrote
        }
    }

    /// The new file's descriptor, open for writing; nil when a plain file was kept.
    private func open(_ name: String, keepExisting: Bool) throws(VMGAHPError) -> Int32? {
        let dir = try openDirectory()
        defer { close(dir) }
        switch entry(name, in: dir) {
        case .foreign(let what): throw refusal(name, what)
        case .plain where keepExisting: return nil
        case .plain:
            guard unlinkat(dir, name, 0) == 0 || errno == ENOENT else { throw refusal(name, "cannot be removed (\(Self.errorText()))") }
        case .absent: break
        }
        let fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw refusal(name, "cannot be created (\(Self.errorText()))") }
        return fd
    }

    /// The first `limit` bytes of a plain file `name`; nil when it is absent or not plain.
    func read(_ name: String, limit: Int) -> [UInt8]? {
        guard let dir = try? openDirectory() else { return nil }
        defer { close(dir) }
        let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, describe(info) == .plain else { return nil }
        var buffer = [UInt8](repeating: 0, count: limit)
        let got = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, limit) }
        return got >= 0 ? Array(buffer.prefix(got)) : nil
    }

    /// Removes `name` when it is a plain file; leaves anything else alone. Never follows a
    /// link, never removes a directory.
    func removeIfPlain(_ name: String) {
        guard let dir = try? openDirectory() else { return }
        defer { close(dir) }
        if entry(name, in: dir) == .plain { unlinkat(dir, name, 0) }
    }

    private func openDirectory() throws(VMGAHPError) -> Int32 {
        let dir = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dir >= 0 else { throw VMGAHPError.host(.internal, "cannot open the working directory \(path): \(Self.errorText())") }
        return dir
    }

    func refusal(_ name: String, _ what: String) -> VMGAHPError {
        VMGAHPError.job(code, "\(path)/\(name) \(what); the gahp creates this file itself and uses no file planted there")
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}
