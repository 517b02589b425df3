import VMCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whether this host can run VMware jobs: the Perl, the control script and a VMware
/// command-line tool. Each check says why it failed, so `condor_vm-gahp doctor` can list
/// them; the driver refuses to start (and the probe prints nothing) unless all pass.
public enum VMwareHostCheck {
    public struct Finding: Sendable, Equatable {
        /// `VMWARE_PERL`, `VMWARE_SCRIPT` or `VMware CLI`.
        public var subject: String
        public var usable: Bool
        /// What was found, or what is wrong and how to mend it.
        public var detail: String
    }

    /// The VMware tools the script drives, in the order it tries them.
    public static let cliTools = ["vmware-cmd", "vmrun"]

    /// All three checks, in the order an admin should mend them.
    public static func run(_ settings: VMwareSettings, path: String?) -> [Finding] {
        [perlFinding(settings.perl, path: path), scriptFinding(settings.script), cliFinding(path: path)]
    }

    /// The first unusable finding's detail, or nil when the host can run VMware jobs.
    public static func problem(_ settings: VMwareSettings, path: String?) -> String? {
        run(settings, path: path).first { !$0.usable }.map { "\($0.subject): \($0.detail)" }
    }

    static func perlFinding(_ perl: String, path: String?) -> Finding {
        guard let resolved = findExecutable(perl, path: path) else {
            return Finding(subject: "VMWARE_PERL", usable: false,
                detail: "\(perl) is not an executable file\(perl.contains("/") ? "" : " in PATH"); set VMWARE_PERL to the full path of perl")
        }
        return Finding(subject: "VMWARE_PERL", usable: true, detail: resolved)
    }

    static func scriptFinding(_ script: String?) -> Finding {
        guard let script else {
            return Finding(subject: "VMWARE_SCRIPT", usable: false, detail: "not set; set it to the path of condor_vm_vmware")
        }
        if let problem = scriptProblem(script) { return Finding(subject: "VMWARE_SCRIPT", usable: false, detail: problem) }
        return Finding(subject: "VMWARE_SCRIPT", usable: true, detail: script)
    }

    static func cliFinding(path: String?) -> Finding {
        let found = cliTools.compactMap { findExecutable($0, path: path) }
        guard !found.isEmpty else {
            return Finding(subject: "VMware CLI", usable: false,
                detail: "neither vmware-cmd (VMware Server) nor vmrun (Workstation, Player: install the VIX API) is in PATH")
        }
        return Finding(subject: "VMware CLI", usable: true, detail: found.joined(separator: ", "))
    }

    /// Why the script must not be run as root or as the job's user, or nil: it must be an
    /// absolute path to a regular file (no symlink: what it points to can change), readable
    /// by everyone (the job user runs it) and writable by its owner only.
    static func scriptProblem(_ script: String) -> String? {
        guard script.hasPrefix("/") else { return "\(script) is not an absolute path" }
        var info = stat()
        guard lstat(script, &info) == 0 else { return "\(script) does not exist" }
        if (info.st_mode & S_IFMT) == S_IFLNK { return "\(script) is a symbolic link; name the file itself" }
        guard (info.st_mode & S_IFMT) == S_IFREG else { return "\(script) is not a regular file" }
        if info.st_mode & (S_IWOTH | S_IWGRP) != 0 {
            return "\(script) is group- or world-writable (mode \(String(info.st_mode & 0o7777, radix: 8))); chmod go-w it"
        }
        guard info.st_mode & S_IROTH != 0 else {
            return "\(script) is not world-readable (mode \(String(info.st_mode & 0o7777, radix: 8))); the job's user runs it"
        }
        return nil
    }
}
