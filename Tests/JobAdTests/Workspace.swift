import Foundation

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

    /// Creates an empty file (and its parent directories) at `path`, absolute or relative
    /// to the working directory; returns the absolute path.
    @discardableResult
    func file(_ path: String, contents: String = "") throws -> String {
        let full = path.hasPrefix("/") ? path : workingDirectory + "/" + path
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(contents.utf8).write(to: URL(fileURLWithPath: full))
        return full
    }

    /// A symlink at `path` (relative to the working directory) pointing at `target`.
    func symlink(_ path: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: workingDirectory + "/" + path, withDestinationPath: target)
    }
}
