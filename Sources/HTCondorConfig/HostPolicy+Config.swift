import VMCore

extension HTCondorConfig {
    /// What this host allows jobs, read from the settings of §5.1 (plus `VM_GAHP_DISK_ROOTS`).
    ///
    /// Throws for settings the gahp cannot run without or must not guess at (no `VM_MEMORY`,
    /// relative disk roots); returns warnings for settings it can repair by ignoring a part
    /// (unknown networking types, networking enabled without types), for the log.
    public func hostPolicy(hostCPUs: Int) throws(ConfigError) -> (policy: HostPolicy, warnings: [String]) {
        var warnings: [String] = []
        let networking = networkingSettings(warnings: &warnings)
        let policy = HostPolicy(
            maxMemoryMiB: try maxMemory(),
            networkingEnabled: networking.enabled,
            networkingTypes: networking.types,
            defaultNetworkingType: networking.defaultType,
            bridgeInterface: try bridgeInterface(),
            hardwareVT: bool("VM_HARDWARE_VT", default: false),
            xenBootloader: value("XEN_BOOTLOADER")?.trimmed,
            xenAllowHardwareVTSuspend: bool("XEN_ALLOW_HARDWARE_VT_SUSPEND", default: false),
            allowedDiskRoots: try diskRoots(),
            hostCPUs: max(1, hostCPUs))
        return (policy, warnings)
    }

    private func maxMemory() throws(ConfigError) -> Int {
        guard let text = value("VM_MEMORY") else {
            throw ConfigError(message: "'VM_MEMORY' is not defined in configuration")
        }
        guard let megabytes = ConfigValue.integer(text), megabytes > 0 else {
            throw error("must be a positive number of MiB, not '\(text.trimmed)'", about: "VM_MEMORY")
        }
        return megabytes
    }

    private func networkingSettings(
        warnings: inout [String]
    ) -> (enabled: Bool, types: [JobDescription.Networking.Kind], defaultType: JobDescription.Networking.Kind?) {
        var types: [JobDescription.Networking.Kind] = []
        for item in list("VM_NETWORKING_TYPE") {
            let name = ConfigValue.unquoted(item).lowercased()
            guard let kind = JobDescription.Networking.Kind(rawValue: name) else {
                warnings.append("VM_NETWORKING_TYPE: unknown networking type '\(item)' ignored")
                continue
            }
            if !types.contains(kind) { types.append(kind) }
        }
        var enabled = bool("VM_NETWORKING", default: false)
        if enabled && types.isEmpty {
            warnings.append("VM_NETWORKING is true but VM_NETWORKING_TYPE names no usable type: networking disabled")
            enabled = false
        }
        var defaultType: JobDescription.Networking.Kind?
        if let text = value("VM_NETWORKING_DEFAULT_TYPE") {
            let name = ConfigValue.unquoted(text.trimmed).lowercased()
            defaultType = JobDescription.Networking.Kind(rawValue: name)
            if defaultType == nil {
                warnings.append("VM_NETWORKING_DEFAULT_TYPE: unknown networking type '\(text.trimmed)' ignored")
            }
        }
        return (enabled, types, defaultType)
    }

    /// A Linux interface name: it ends up in domain XML and `ip` arguments, so only the
    /// characters the kernel allows in practice, at most 15 of them.
    private func bridgeInterface() throws(ConfigError) -> String? {
        guard let text = value("VM_NETWORKING_BRIDGE_INTERFACE") else { return nil }
        let name = ConfigValue.unquoted(text.trimmed)
        let allowed = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-:".contains($0)) }
        guard allowed, (1...15).contains(name.count), name != ".", name != ".." else {
            throw error("'\(name)' is not a network interface name", about: "VM_NETWORKING_BRIDGE_INTERFACE")
        }
        return name
    }

    /// Absolute directories without `.`/`..` components; trailing slashes dropped so prefix
    /// checks against them are exact.
    private func diskRoots() throws(ConfigError) -> [String] {
        var roots: [String] = []
        for item in list("VM_GAHP_DISK_ROOTS") {
            let components = item.split(separator: "/")
            guard item.hasPrefix("/"), !components.contains(where: { $0 == "." || $0 == ".." }) else {
                throw error("'\(item)' is not an absolute directory path", about: "VM_GAHP_DISK_ROOTS")
            }
            let root = "/" + components.joined(separator: "/")
            if !roots.contains(root) { roots.append(root) }
        }
        return roots
    }
}
