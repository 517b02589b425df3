import VMCore

/// `FileConfinement` for drivers that find more file names inside the job's files
/// (VMware's .vmx device entries, a VMDK descriptor's extents and parent), which the ad
/// reader cannot see: the same rules, so a driver never decides confinement by itself.
public struct JobFileBoundary {
    private let confinement: FileConfinement

    /// Why a file may not be used; the caller attaches the token that fits the file's role.
    public struct Refusal: Error, Sendable {
        public var message: String
    }

    /// The working directory with symlinks resolved.
    public var workingDirectory: String { confinement.workingDirectory }

    /// Nil when the working directory is not an existing absolute directory. Files outside it
    /// are decided as `jobUser` (`VMGAHP_USER_UID`/`GID`), never as root.
    public init?(workingDirectory: String, allowedRoots: [String], jobUser: FileOwner?) {
        guard let confinement = FileConfinement(
            workingDirectory: workingDirectory, allowedRoots: allowedRoots, access: JobUserAccess(jobUser: jobUser))
        else { return nil }
        self.confinement = confinement
    }

    /// A file the job names, resolved as HTCondor resolves job files (a transferred file of
    /// the same name wins): its real path, which is what must be handed on.
    public func resolve(_ name: String, kind: String) -> Result<String, Refusal> {
        confinement.resolve(name, kind: kind).map(\.path).mapError { Refusal(message: $0.message) }
    }

    /// A file the hypervisor will open by this very path (an extent relative to its
    /// descriptor): no transferred-copy substitution, so the file checked is the file opened.
    public func resolveExactly(_ path: String, kind: String) -> Result<String, Refusal> {
        guard let real = FileConfinement.realPath(path) else {
            return .failure(Refusal(message: "\(kind) file \(TextRules.quoted(path)) does not exist"))
        }
        switch confinement.resolve(real, kind: kind) {
        case .success(let file) where file.path == real: return .success(real)
        case .success(let file):
            return .failure(Refusal(message: "\(kind) file \(TextRules.quoted(path)) is \(TextRules.quoted(real)), not the transferred \(TextRules.quoted(file.path)) of the same name"))
        case .failure(let problem): return .failure(Refusal(message: problem.message))
        }
    }
}
