import FoundationEssentials
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
struct CheckpointFiles: Sendable {
    let memory: String
    var timestamp: String { memory + ".timestamp" }

    init(workingDirectory: String) {
        memory = workingDirectory.appendingPath("xen.mem.ckpt")
    }

    var hasMemoryImage: Bool { FileManager.default.fileExists(atPath: memory) }

    /// Writes the timestamp and stamps the writable disks with it.
    func seal(disks: [JobDescription.Disk], now: Date = Date()) throws {
        let seconds = Int(now.timeIntervalSince1970)
        let stamp = Date(timeIntervalSince1970: TimeInterval(seconds))
        for disk in disks where disk.writable {
            try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: disk.path)
        }
        try Data("\(seconds)\n".utf8).write(to: URL(fileURLWithPath: timestamp))
    }

    /// Whether a START may restore the memory image (see the rule above).
    func isRestorable(disks: [JobDescription.Disk]) -> Bool {
        guard hasMemoryImage,
            let text = try? String(contentsOfFile: timestamp, encoding: .utf8),
            let stamp = Int(text.trimmed)
        else { return false }
        return disks.filter(\.writable).allSatisfy { disk in
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: disk.path))?[.modificationDate] as? Date
            else { return false }
            return Int(modified.timeIntervalSince1970.rounded(.down)) == stamp
        }
    }

    func removeAll() {
        try? FileManager.default.removeItem(atPath: memory)
        try? FileManager.default.removeItem(atPath: timestamp)
    }
}
