import Foundation

/// What a case may need from a real host (`requires kvm`, `requires default-network`). No
/// `--feature` flag can vouch for these: the runner looks at the host itself, once per run, and
/// skips the cases whose needs are not met with the reason it found.
public enum HostFeature: String, CaseIterable, Sendable {
    /// `/dev/kvm` opens for reading and writing: KVM guests can start.
    case kvm
    /// libvirt has an active network named `default` (what `nat` networking uses).
    case defaultNetwork = "default-network"

    /// Why the host lacks this feature, or nil when it has it.
    func missing(libvirtURI: String) -> String? {
        switch self {
        case .kvm:
            let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { return "/dev/kvm: \(String(cString: strerror(errno)))" }
            close(fd)
            return nil
        case .defaultNetwork:
            guard let (status, output) = Self.run(["virsh", "--connect", libvirtURI, "net-info", "default"]) else {
                return "`virsh --connect \(libvirtURI) net-info default` could not run or did not answer in 10 s"
            }
            let active = output.split(separator: "\n").contains {
                $0.hasPrefix("Active:") && $0.split(separator: " ").last == "yes"
            }
            return status == 0 && active ? nil : "no active libvirt network `default` at \(libvirtURI)"
        }
    }

    /// Runs a tool from PATH for at most 10 s: its exit status and stdout.
    private static func run(_ argv: [String]) -> (Int32, String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        // `net-info` prints a few lines, far less than a pipe holds: wait first, then read.
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            process.terminate()
            return nil
        }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
