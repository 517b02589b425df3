import VMCore

/// The NIC a job asks for (`JobVMNetworking`, `JobVMNetworkingType`, `JobVM_MACADDR`),
/// resolved against what the host allows.
enum NetworkingReader {
    typealias Kind = JobDescription.Networking.Kind

    static func read(_ fields: AdFields, vmType: String, policy: HostPolicy) throws(VMGAHPError) -> JobDescription.Networking? {
        guard try fields.flag("JobVMNetworking", .mismatchedNetworking) else { return nil }
        let allowed = usableTypes(vmType: vmType, policy: policy)
        guard policy.networkingEnabled, !allowed.isEmpty else {
            throw VMGAHPError.job(.mismatchedNetworking, "the job asks for networking, which VM_NETWORKING does not offer on this host")
        }
        let kind = try kind(fields, allowed: allowed, policy: policy)
        var mac: String?
        if let raw = try fields.text("JobVM_MACADDR", .mismatchedNetworking, maxLength: 64) {
            guard let normalised = NetworkRules.mac(TextRules.trimmed(raw)) else {
                throw VMGAHPError.job(.mismatchedNetworking,
                    "JobVM_MACADDR \(TextRules.quoted(raw)) is not a unicast MAC address of six hex octets like 52:54:00:12:34:56")
            }
            mac = normalised
        }
        return JobDescription.Networking(kind: kind, mac: mac, bridgeInterface: kind == .bridge ? policy.bridgeInterface : nil)
    }

    /// The configured types this host can really offer, as HTCondor prunes them at START:
    /// `bridge` needs a valid `VM_NETWORKING_BRIDGE_INTERFACE` (except on VMware, which
    /// bridges through its own vmnet, `VMWARE_BRIDGE_NETWORKING_TYPE`), `user` (passt) needs KVM.
    static func usableTypes(vmType: String, policy: HostPolicy) -> [Kind] {
        policy.networkingTypes.filter { kind in
            switch kind {
            case .nat: true
            case .bridge: vmType == "vmware" || (policy.bridgeInterface.map(NetworkRules.isInterfaceName) ?? false)
            case .user: vmType == "kvm"
            }
        }
    }

    /// The job's type, trimmed and lower-cased, which must be one the host offers; when the
    /// job names none: the configured default if offered, else `nat` if offered, else the
    /// first type offered (HTCondor would pick `nat` even when the host refuses it, and the
    /// VM would then fail to start).
    private static func kind(_ fields: AdFields, allowed: [Kind], policy: HostPolicy) throws(VMGAHPError) -> Kind {
        guard let raw = try fields.text("JobVMNetworkingType", .mismatchedNetworkingType, maxLength: 64) else {
            if let preferred = policy.defaultNetworkingType, allowed.contains(preferred) { return preferred }
            return allowed.contains(.nat) ? .nat : allowed[0]
        }
        let offered = allowed.map(\.rawValue).joined(separator: ", ")
        guard let kind = Kind(rawValue: TextRules.trimmed(raw).lowercased()), allowed.contains(kind) else {
            throw VMGAHPError.job(.mismatchedNetworkingType,
                "the job asks for networking type \(TextRules.quoted(raw)); this host offers \(offered)")
        }
        return kind
    }
}
