import FoundationEssentials
import Glibc
import Subprocess

import JobAd
import VMCore

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// After libvirt refused to start a domain, decides whether the job's images were the cause.
///
/// A QEMU that cannot open an image and a QEMU that cannot start at all (no memory, a CPU
/// feature the host lacks) fail with the same libvirt error number, and the message text is
/// not a contract. So the images are checked again directly: each disk must open with the
/// access it asks for, and `qemu-img` must open it in its declared format. If one fails,
/// the job is at fault; otherwise the host is. `qemu-img` runs as the job user
/// (`VMGAHP_USER_UID`/`GID`, through `UserSwitch`), never as root: it parses a hostile file,
/// and may reach only what the job's owner could reach anyway.
enum ImageCheck {
    static let qemuImg = "/usr/bin/qemu-img"
    static let timeout: Duration = .seconds(10)

    /// The job fault explaining the refusal, or nil when every image opens.
    static func blame(_ job: JobDescription, uri: String, jobOwner: FileOwner?, userSwitch: UserSwitch?) async -> VMGAHPError? {
        for disk in job.disks {
            let fd = open(disk.path, (disk.writable ? O_RDWR : O_RDONLY) | O_CLOEXEC)
            guard fd >= 0 else {
                let reason = String(cString: strerror(errno))
                return VMGAHPError.job(
                    VMGAHPError.jobDescriptionToken(job.vmType),
                    "disk \(disk.path) cannot be opened \(disk.writable ? "for writing" : "for reading"): \(reason)")
            }
            close(fd)
            // Root with no job user to run it as: no hostile file is parsed with root's rights.
            let runner: QemuImgUser?
            if let jobOwner, let userSwitch {
                runner = .jobUser(userSwitch, JobUser(jobOwner).identity)
            } else {
                runner = getuid() != 0 ? .gahp : nil
            }
            guard uri.hasPrefix("qemu"), !disk.isCDROM, let runner, FileManager.default.isExecutableFile(atPath: qemuImg) else { continue }
            if await !qemuOpens(disk, runner) {
                return VMGAHPError.job(.badImage, "QEMU cannot open disk \(disk.path) as \(disk.format ?? "raw") (qemu-img info failed)")
            }
        }
        return nil
    }

    /// Who runs `qemu-img`: the gahp itself when it is not root, else the job user.
    private enum QemuImgUser {
        case gahp
        case jobUser(UserSwitch, UserSwitch.Identity)

        func command(_ arguments: [String]) -> (executable: String, arguments: [String]) {
            switch self {
            case .gahp: (qemuImg, arguments)
            case .jobUser(let userSwitch, let identity): userSwitch.command(qemuImg, arguments, as: identity)
            }
        }
    }

    /// `qemu-img info` in the declared format, without taking the image's locks.
    private static func qemuOpens(_ disk: JobDescription.Disk, _ runner: QemuImgUser) async -> Bool {
        let (executable, arguments) = runner.command(["info", "-U", "--output=json", "-f", disk.format ?? "raw", disk.path])
        do {
            return try await withTimeout(timeout) {
                var options = PlatformOptions()
                options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: .seconds(1))]
                let outcome = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments), platformOptions: options,
                    output: .discarded, error: .discarded)
                return outcome.terminationStatus.isSuccess
            }
        } catch {
            // qemu-img itself failing to run or to finish says nothing about the image.
            return true
        }
    }
}
