import VMCore

/// The configuration knobs the VMware driver reads, with their defaults.
///
/// | knob | default | meaning |
/// |---|---|---|
/// | `VMWARE_PERL` | `perl` | the Perl that runs the control script; a bare name is looked up in `PATH`. |
/// | `VMWARE_SCRIPT` | none (required) | the control script (`scripts/condor_vm_vmware`); must be a regular file, readable, not group- or world-writable. |
/// | `VMWARE_NETWORKING_TYPE` | `nat` | `ethernet0.connectionType` of a networked job. |
/// | `VMWARE_NAT_NETWORKING_TYPE`, `VMWARE_BRIDGE_NETWORKING_TYPE` | `nat`, `bridged` | the connection type for a job asking for `nat` / `bridge` networking, overriding the above. |
/// | `VMWARE_LOCAL_SETTINGS_FILE` | none | a file of `key = "value"` lines appended to every generated .vmx. |
/// | `VMWARE_SCRIPT_TIMEOUT` (ours) | 120 | seconds one run of the script may take; then it and everything it started is killed. |
public struct VMwareSettings: Sendable, Equatable {
    public var perl: String
    public var script: String?
    public var networkingType: String
    public var natNetworkingType: String?
    public var bridgeNetworkingType: String?
    public var localSettingsFile: String?
    public var scriptTimeout: Duration

    public init(setting: (String) -> String?) {
        func value(_ name: String) -> String? {
            guard var raw = setting(name) else { return nil }
            raw = raw.trimmingBlanks
            if raw.count >= 2, raw.hasPrefix("\""), raw.hasSuffix("\"") { raw = String(raw.dropFirst().dropLast()) }
            return raw.isEmpty ? nil : raw
        }
        perl = value("VMWARE_PERL") ?? "perl"
        script = value("VMWARE_SCRIPT")
        networkingType = value("VMWARE_NETWORKING_TYPE") ?? "nat"
        natNetworkingType = value("VMWARE_NAT_NETWORKING_TYPE")
        bridgeNetworkingType = value("VMWARE_BRIDGE_NETWORKING_TYPE")
        localSettingsFile = value("VMWARE_LOCAL_SETTINGS_FILE")
        let seconds = value("VMWARE_SCRIPT_TIMEOUT").flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 120
        scriptTimeout = .seconds(seconds)
    }

    public init(_ context: DriverContext) { self.init(setting: context.setting) }

    /// The `ethernet0.connectionType` for a job's networking kind; nil when VMware has no
    /// equivalent (`user`, QEMU's own user-mode networking).
    func connectionType(for kind: JobDescription.Networking.Kind) -> String? {
        switch kind {
        case .nat: return natNetworkingType ?? networkingType
        case .bridge: return bridgeNetworkingType ?? "bridged"
        case .user: return nil
        }
    }
}

extension String {
    /// Without leading and trailing blanks and line ends.
    var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
