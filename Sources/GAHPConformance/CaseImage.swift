import Foundation

/// The disk images of `image PATH FORMAT SIZE`: real images of the declared format, so a case
/// runs the same on the test drivers and on a real QEMU, which refuses an empty file as qcow2.
enum CaseImage {
    /// A raw image is a sparse file of zeros; a qcow2 image is made by `qemu-img create`.
    static func create(at path: String, format: String, bytes: Int) throws {
        switch format {
        case "raw":
            guard FileManager.default.createFile(atPath: path, contents: nil), truncate(path, off_t(bytes)) == 0 else {
                throw RunnerError("cannot create the raw image \(path): \(String(cString: strerror(errno)))")
            }
        default:
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["qemu-img", "create", "-q", "-f", format, path, String(bytes)]
            let errors = Pipe()
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            do { try process.run() } catch {
                throw RunnerError("cannot run qemu-img (package qemu-utils) for \(path): \(error)")
            }
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                let text = String(decoding: message, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                throw RunnerError("qemu-img create -f \(format) \(path) failed: \(text.isEmpty ? "exit \(process.terminationStatus)" : text)")
            }
        }
    }
}
