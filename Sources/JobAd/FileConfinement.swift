#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a job's files may live: its working directory, and files elsewhere (shared
/// storage) that the job user may open, within the shared-storage roots the admin allows
/// when there are any (`HostPolicy.allowedDiskRoots`). The gahp runs as root, so a disk,
/// kernel or VMware file named by the user must never resolve to anything the user could
/// not reach itself (`/etc/shadow`, another job's disk).
struct FileConfinement {
    /// The working directory with symlinks resolved.
    let workingDirectory: String
    /// The allowed roots that exist, symlinks resolved; empty: anywhere the job user may reach.
    let roots: [String]
    /// Who decides about files outside the working directory.
    let access: JobUserAccess

    /// PATH_MAX: longer names cannot be opened anyway.
    static let maxPathLength = 4095

    /// A file the job may use, open (read-only) for a look at its contents.
    struct Resolved: Equatable {
        /// Absolute, symlinks resolved.
        var path: String
        /// Inside the working directory (transferred with the job), not on shared storage.
        var transferred: Bool
        /// The file, opened as whoever decided it may be used.
        var file: OpenFile?

        init(path: String, transferred: Bool, file: OpenFile? = nil) {
            (self.path, self.transferred, self.file) = (path, transferred, file)
        }

        static func == (a: Resolved, b: Resolved) -> Bool { a.path == b.path && a.transferred == b.transferred }
    }

    /// Nil when the working directory is not an existing absolute directory.
    init?(workingDirectory: String, allowedRoots: [String], access: JobUserAccess) {
        guard workingDirectory.hasPrefix("/"), Self.isPlausiblePath(workingDirectory),
              let resolved = Self.realPath(workingDirectory), Self.isDirectory(resolved)
        else { return nil }
        self.workingDirectory = resolved
        self.access = access
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
    /// one as is. A real path (all symlinks followed) inside the working directory is the
    /// job's own; any other is looked up, checked and opened as the job user (read, or read
    /// and write for `writable`), and must lie inside an allowed root when roots are set.
    /// The file must exist and be a regular file (or a directory where `directoryAllowed`):
    /// FIFOs, sockets and device nodes are never handed on.
    ///
    /// `kind` (`disk`, `kernel`, ...) only words the message.
    func resolve(_ name: String, kind: String, writable: Bool = false, directoryAllowed: Bool = false) -> Result<Resolved, ConfinementProblem> {
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
        let lookup = Lookup(name: name, kind: kind, writable: writable, directoryAllowed: directoryAllowed)
        if let real = Self.realPath(candidate), Self.isInside(real, workingDirectory) {
            return lookup.check(real, transferred: true)
        }
        guard let outcome = access.run({ () -> Result<Resolved, ConfinementProblem> in
            guard let real = Self.realPath(candidate) else {
                let reason = errno == ENOENT || errno == ENOTDIR ? "does not exist" : "cannot be reached (\(Self.errorText()))"
                return .failure(ConfinementProblem("\(kind) file \(TextRules.quoted(name)) \(reason) for \(access.who)"))
            }
            guard roots.isEmpty || roots.contains(where: { Self.isInside(real, $0) }) else {
                return .failure(ConfinementProblem(
                    "\(kind) file \(TextRules.quoted(name)) resolves to \(TextRules.quoted(real)), outside the job's working directory and the allowed disk roots"))
            }
            return lookup.check(real, transferred: false)
        }) else {
            return .failure(ConfinementProblem(
                "\(kind) file \(TextRules.quoted(name)) is outside the job's working directory, and cannot be checked as the job user: \(access.who)"))
        }
        return outcome
    }

    /// The checks on one resolved path, made with the credentials of the calling thread.
    private struct Lookup {
        let name: String, kind: String, writable: Bool, directoryAllowed: Bool

        func check(_ real: String, transferred: Bool) -> Result<Resolved, ConfinementProblem> {
            guard FileConfinement.isPlausiblePath(real) else {
                return .failure(ConfinementProblem("\(kind) file \(TextRules.quoted(name)) resolves to \(TextRules.quoted(real)), a name unsafe to hand on"))
            }
            var info = stat()
            guard lstat(real, &info) == 0, FileConfinement.isUsable(info.st_mode, directoryAllowed: directoryAllowed) else {
                return .failure(ConfinementProblem(
                    "\(kind) file \(TextRules.quoted(name)) is not a regular file\(directoryAllowed ? " or directory" : "") (FIFOs, sockets and devices are refused)"))
            }
            // A hard link aliases a file elsewhere in a way realpath cannot see; file transfer
            // never makes one, so in the working directory it can only be an attempt to escape.
            if transferred && (info.st_mode & S_IFMT) == S_IFREG && info.st_nlink > 1 {
                return .failure(ConfinementProblem(
                    "\(kind) file \(TextRules.quoted(name)) has \(info.st_nlink) hard links; a transferred file has one"))
            }
            // Only files outside the working directory need the job user's write permission:
            // the job's own transferred files are the gahp's to hand to QEMU.
            let mode = writable && !transferred && (info.st_mode & S_IFMT) == S_IFREG ? O_RDWR : O_RDONLY
            let descriptor = open(real, mode | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
            guard descriptor >= 0 else {
                return .failure(ConfinementProblem(
                    "\(kind) file \(TextRules.quoted(name)) cannot be opened for \(mode == O_RDWR ? "reading and writing" : "reading") (\(FileConfinement.errorText()))"))
            }
            return .success(Resolved(path: real, transferred: transferred, file: OpenFile(descriptor)))
        }
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

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func isUsable(_ mode: mode_t, directoryAllowed: Bool) -> Bool {
        let type = mode & S_IFMT
        return type == S_IFREG || (directoryAllowed && type == S_IFDIR)
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
}

/// A file descriptor closed when the last reference goes.
final class OpenFile {
    let descriptor: Int32
    init(_ descriptor: Int32) { self.descriptor = descriptor }
    deinit { close(descriptor) }
}

/// Why a job file was refused; the caller attaches the token that fits the file's role.
struct ConfinementProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
