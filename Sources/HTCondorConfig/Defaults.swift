#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTCondor's built-in values for the settings the gahp (and its lead, reading the starter's
/// view) consults, so a minimal configuration behaves like a stock HTCondor install.
enum Defaults {
    static func table(subsystem: String) -> [String: String] {
        settings(subsystem: subsystem).merging(detected()) { setting, _ in setting }
    }

    /// What HTCondor detects about the host and admins use in paths and conditions
    /// (`/etc/condor/$(HOSTNAME).local`, `if $(IsWindows)`). `FULL_HOSTNAME` is the configured
    /// name, not a DNS answer: start-up must not wait for a resolver. HTCondor 25.14 defines
    /// `IsWindows` (false here) but not `IsLinux`, so neither does the gahp.
    private static func detected() -> [String: String] {
        var values = ["IsWindows": "false"]
        var buffer = [CChar](repeating: 0, count: 256)
        if gethostname(&buffer, buffer.count - 1) == 0 {
            let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            values["FULL_HOSTNAME"] = name
            values["HOSTNAME"] = String(name.prefix { $0 != "." })
        }
        if let home = homeDirectory(of: "condor") { values["TILDE"] = home }
        return values
    }

    /// `getpwnam_r`: loads may run concurrently (tests, a reload racing a start-up probe).
    private static func homeDirectory(of user: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        return buffer.withUnsafeMutableBufferPointer { storage -> String? in
            guard let base = storage.baseAddress else { return nil }
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            guard getpwnam_r(user, &entry, base, storage.count, &result) == 0, result != nil,
                let home = entry.pw_dir
            else { return nil }
            return String(cString: home)
        }
    }

    /// HTCondor 25.14's own defaults (`condor_config_val -default`), so a knob left unset
    /// reads as it does in HTCondor: e.g. `VM_GAHP_LOG` is `$(LOG)/VMGahpLog`, `LOG` is
    /// `$(LOCAL_DIR)/log` and `LOCAL_DIR` is `~condor`.
    private static func settings(subsystem: String) -> [String: String] {
        [
            "SUBSYSTEM": subsystem,
            "DOLLAR": "$",
            "RELEASE_DIR": "/usr",
            "LOCAL_DIR": "$(TILDE)",
            "LOG": "$(LOCAL_DIR)/log",
            "LIB": "$(RELEASE_DIR)/lib",
            "LIBEXEC": "$(RELEASE_DIR)/libexec",
            "SBIN": "$(RELEASE_DIR)/sbin",
            "MAX_DEFAULT_LOG": "10 Mb",
            "VM_GAHP_SERVER": "$(SBIN)/condor_vm-gahp",
            "VM_GAHP_LOG": "$(LOG)/VMGahpLog",
            "MAX_VM_GAHP_LOG": "$(MAX_DEFAULT_LOG)",
            "VM_GAHP_REQ_TIMEOUT": "300",
            "VM_STATUS_INTERVAL": "60",
            "VM_STATUS_MAX_ERROR": "5",
            "VM_GAHP_SEND_ALL_CLASSAD": "true",
            "VM_SOFT_SUSPEND": "false",
            "LIBVIRT_XML_SCRIPT": "$(LIBEXEC)/libvirt_simple_script.awk",
            "USE_SCRIPT_TO_CREATE_CONFIG": "false",
            "VM_NETWORKING": "false",
            "VM_HARDWARE_VT": "false",
            "XEN_ALLOW_HARDWARE_VT_SUSPEND": "false",
            "REQUIRE_LOCAL_CONFIG_FILE": "true",
            "LOCAL_CONFIG_DIR_EXCLUDE_REGEXP": localConfigDirExclusion,
        ]
    }

    /// HTCondor 25.14's default `LOCAL_CONFIG_DIR_EXCLUDE_REGEXP`.
    static let localConfigDirExclusion =
        #"^((\..*)|(.*\.pl)|(.*\.py)|(.*\.sh)|(.*~)|(#.*)|(.*\.rpmsave)|(.*\.rpmnew)|(.*\.dpkg-old)|(.*\.dpkg-dist)|(.*\.cfsaved))$"#

    /// What `localConfigDirExclusion` matches, without compiling it: dot files, `#` files,
    /// editor backups, scripts and package-manager leftovers (`.` stops at a newline there).
    static func isExcludedByDefault(_ name: String) -> Bool {
        guard !name.contains("\n") else { return false }
        let suffixes = [".pl", ".py", ".sh", "~", ".rpmsave", ".rpmnew", ".dpkg-old", ".dpkg-dist", ".cfsaved"]
        return name.hasPrefix(".") || name.hasPrefix("#") || suffixes.contains { name.hasSuffix($0) }
    }
}
