import FoundationEssentials
import Glibc

/// Finds the host process that runs a QEMU domain.
///
/// libvirt's API does not expose QEMU's pid; its QEMU driver records it in
/// `NAME.pid` in its run directory (`/run/libvirt/qemu` for the system daemon, which
/// also serves root's `qemu:///session`; `$XDG_RUNTIME_DIR/libvirt/qemu/run` for a user's
/// session daemon). The pid is only believed when that process's command line carries
/// QEMU's `-name guest=NAME,...` for this domain, so a stale file never names a stranger.
enum QEMUProcess {
    static func pid(domain name: String, uri: String) -> Int? {
        guard uri.hasPrefix("qemu") else { return nil }
        for directory in runDirectories(uri: uri) {
            let file = directory.appendingPath(name + ".pid")
            guard let text = try? String(contentsOfFile: file, encoding: .utf8),
                let pid = Int(text.trimmed), pid > 0,
                runs(domain: name, pid: pid)
            else { continue }
            return pid
        }
        return nil
    }

    private static func runDirectories(uri: String) -> [String] {
        var directories: [String] = []
        if uri.contains("/session"), getuid() != 0 {
            if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"] {
                directories.append(runtime + "/libvirt/qemu/run")
            }
        } else {
            directories.append("/run/libvirt/qemu")
        }
        return directories
    }

    private static func runs(domain name: String, pid: Int) -> Bool {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        // QEMU doubles commas inside option values.
        let expected = "guest=" + name.replacing(",", with: ",,") + ","
        return data.split(separator: 0).contains { arg in
            String(decoding: arg, as: UTF8.self).hasPrefix(expected)
        }
    }
}
