import Foundation
import TestSupport
import VMCore
@testable import JobAd

/// A temporary job working directory (and optional shared-storage root) that removes
/// itself; paths are symlink-resolved so they compare equal to what `JobAdReader` reports.
final class Workspace {
    let root: String
    let workingDirectory: String
    let sharedRoot: String

    init() throws {
        let base = FileManager.default.temporaryDirectory.path + "/jobad-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: base + "/execute/dir_4242", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: base + "/shared", withIntermediateDirectories: true)
        let real = URL(fileURLWithPath: base).resolvingSymlinksInPath().path
        root = real
        workingDirectory = real + "/execute/dir_4242"
        sharedRoot = real + "/shared"
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// Creates a file (and its parent directories) at `path`, absolute or relative to the
    /// working directory; returns the absolute path. Without `contents` a `.qcow2` file gets
    /// a clean qcow2 header (the gahp inspects images) and any other file is empty. Mode
    /// 0666, so the job user the tests decide as (`nobody`) may read and write it.
    @discardableResult
    func file(_ path: String, contents: String? = nil) throws -> String {
        let full = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let bytes = contents.map { Data($0.utf8) } ?? (full.hasSuffix(".qcow2") ? Data(TestImages.qcow2Header) : Data())
        try bytes.write(to: URL(fileURLWithPath: full))
        chmod(full, 0o666)
        return full
    }

    /// A file only root may read (mode 0600): out of the job user's reach when the tests run
    /// as root and decide as `nobody`. Nil when they do not run as root, where the gahp's own
    /// credentials are the job user's and such a file is reachable.
    func secret(_ path: String) throws -> String? {
        let full = try file(path, contents: "host secret\n")
        chmod(full, 0o600)
        return geteuid() == 0 ? full : nil
    }

    /// A symlink at `path` (relative to the working directory) pointing at `target`.
    func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: workingDirectory + "/" + path, withDestinationPath: target)
    }
}

extension FileConfinement {
    /// Confinement deciding with the test process's own credentials (the job-user checks
    /// have tests of their own, as `nobody`).
    init?(workingDirectory: String, allowedRoots: [String]) {
        self.init(workingDirectory: workingDirectory, allowedRoots: allowedRoots, access: JobUserAccess(identity: .ownCredentials))
    }
}

extension FileOwner {
    /// The job user the tests decide shared-storage access as, when they run as root.
    static let testJobUser = FileOwner(uid: 65534, gid: 65534)
}
