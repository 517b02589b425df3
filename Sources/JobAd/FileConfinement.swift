#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a job's files may live: its working directory, plus the shared-storage roots the
/// admin allows (`HostPolicy.allowedDiskRoots`). The gahp runs as root, so a disk, kernel
/// or VMware file named by the user must never resolve to anything else (`/etc/shadow`,
/// another job's disk).
struct FileConfinement {
    /// The working directory with symlinks resolved.
    let workingDirectory: String
    /// The allowed roots that exist, symlinks resolved.
    let roots: [String]

    /// PATH_MAX: longer names cannot be opened anyway.
    static let maxPathLength = 4095

    /// A file the job may use.
    struct Resolved: Equatable {
        /// Absolute, symlinks resolved.
        var path: String
        /// Inside the working directory (transferred with the job), not on shared storage.
        var transferred: Bool
    }

    /// Nil when the working directory is not an existing absolute directory.
    init?(workingDirectory: String, allowedRoots: [String]) {
        guard workingDirectory.hasPrefix("/"), Self.isPlausiblePath(workingDirectory),
              let resolved = Self.realPath(workingDirectory), Self.isDirectory(resolved)
        else { return nil }
        self.workingDirectory = resolved
        self.roots = allowedRoots.compactMap { root in
            guard root.hasPrefix("/"), Self.isPlausiblePath(root), let real = Self.realPath(root),
                  Self.isDirectory(real)
            else { return nil }
            return real
        }
    }

    /// Resolves a file the job names, following HTCondor's rule that a file with the same
    /// basename at the top of the working directory wins (it was transferred there);
    /// otherwise a relative name is taken relative to the working directory and an absolute
    /// one as is. Either way the real path (all symlinks followed) must be inside the
    /// working directory or an allowed root, and must exist: a disk that is not there
    /// cannot be confined, and libvirt would fail on it anyway.
    ///
    /// `kind` (`disk`, `kernel`, ...) only words the message.
    func resolve(_ name: String, kind: String, directoryAllowed: Bool = false) -> Result<Resolved, ConfinementProblem> {
        guard Self.isPlausiblePath(name) else {
            return .failure(ConfinementProblem(
                "\(kind) file \(TextRules.quoted(name)) is empty, longer than \(Self.maxPathLength) bytes, or holds a control character, invalid UTF-8 or one of < > & ' \""))
        }
        let candidate: String
        if let inWorkingDirectory = transferredCopy(of: name) {
            candidate = inWorkingDirectory
        } else if name.hasPrefix("/") {
            candidate = name
        } else {
            candidate = workingDirectory + "/" + name
        }
        guard let real = Self.realPath(candidate) else {
            return .failure(ConfinementProblem("\(kind) file \(TextRules.quoted(name)) does not exist"))
        }
        guard Self.isPlausiblePath(real) else {
            return .failure(ConfinementProblem("\(kind) file \(TextRules.quoted(name)) resolves to \(TextRules.quoted(real)), a name unsafe to hand on"))
        }
        let transferred = Self.isInside(real, workingDirectory)
        guard transferred || roots.contains(where: { Self.isInside(real, $0) }) else {
            return .failure(ConfinementProblem(
                "\(kind) file \(TextRules.quoted(name)) resolves to \(TextRules.quoted(real)), outside the job's working directory and the allowed disk roots"))
        }
        var info = stat()
        guard stat(real, &info) == 0, Self.isUsable(info.st_mode, directoryAllowed: directoryAllowed) else {
            return .failure(ConfinementProblem(
                "\(kind) file \(TextRules.quoted(name)) is not a regular file\(directoryAllowed ? " or directory" : "") or block device"))
        }
        // A hard link aliases a file elsewhere in a way realpath cannot see; file transfer
        // never makes one, so in the working directory it can only be an attempt to escape.
        if transferred && (info.st_mode & S_IFMT) == S_IFREG && info.st_nlink > 1 {
            return .failure(ConfinementProblem(
                "\(kind) file \(TextRules.quoted(name)) has \(info.st_nlink) hard links; a transferred file has one"))
        }
        return .success(Resolved(path: real, transferred: transferred))
    }

    /// `<working dir>/<basename>` when such a file exists at the top of the working directory.
    private func transferredCopy(of name: String) -> String? {
        guard let base = name.split(separator: "/").last.map(String.init), base != ".", base != ".." else {
            return nil
        }
        let path = workingDirectory + "/" + base
        var info = stat()
        return lstat(path, &info) == 0 ? path : nil
    }

    /// Non-empty, short enough, no control characters (so no NUL that would cut the C string
    /// short and no newline that would forge a log or script line), no XML metacharacters.
    static func isPlausiblePath(_ path: String) -> Bool {
        !path.isEmpty && path.utf8.count <= maxPathLength && TextRules.isMarkupSafe(path)
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(validatingCString: resolved)
    }

    private static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    private static func isUsable(_ mode: mode_t, directoryAllowed: Bool) -> Bool {
        let type = mode & S_IFMT
        return type == S_IFREG || type == S_IFBLK || (directoryAllowed && type == S_IFDIR)
    }
}

/// Why a job file was refused; the caller attaches the token that fits the file's role.
struct ConfinementProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
