import FoundationEssentials
import VMCore

/// The configuration knobs the libvirt driver reads, with their defaults.
///
/// | knob | default | meaning |
/// |---|---|---|
/// | `VM_LIBVIRT_URI` | `qemu:///session` (kvm), `xen:///` (xen) | HTCondor's hard-coded URIs, now overridable (tests use `test:///...`). |
/// | `VM_LIBVIRT_DOMAIN_TYPE` | `kvm` | kvm jobs only: `kvm`, `qemu` (TCG, no hardware acceleration) or `auto` (`kvm` when the host's domain capabilities offer it, else `qemu`). |
/// | `VM_LIBVIRT_CPU_MODE` | none | `<cpu mode=...>` for kvm jobs (`host-passthrough`, `host-model`, `maximum`), used only when the host's domain capabilities list the mode as supported. Off by default: HTCondor's `host-passthrough` kills QEMU on nested/paravirtual KVM hosts that advertise it. |
/// | `VM_GAHP_STOP_GRACE` | 10 | seconds STOP waits for the guest to honour the ACPI shutdown before destroying it. |
/// | `LIBVIRT_XML_SCRIPT` / `LIBVIRT_XML_SCRIPT_ARGS` | unset | HTCondor's external XML generator; a missing file means the built-in one. |
/// | `VM_GAHP_XML_SCRIPT_TIMEOUT` | 30 | seconds the script may run. |
public struct LibvirtSettings: Sendable, Equatable {
    public enum DomainTypeChoice: String, Sendable {
        case kvm, qemu, auto
    }

    public var uri: String
    public var domainType: DomainTypeChoice
    public var cpuMode: String?
    public var stopGrace: Duration
    public var xmlScript: String?
    public var xmlScriptArguments: [String]
    public var xmlScriptTimeout: Duration
    /// `XEN_BOOTLOADER` and `VM_NETWORKING_BRIDGE_INTERFACE` come from the host policy.
    public var xenBootloader: String?
    public var bridgeInterface: String?

    /// The file in the working directory the guest's serial console is appended to.
    public static let consoleLogName = "vmgahp-console.log"

    public static func defaultURI(for vmType: String) -> String {
        vmType == "xen" ? "xen:///" : "qemu:///session"
    }

    public init(_ context: DriverContext) {
        func value(_ name: String) -> String? {
            guard let raw = context.setting(name)?.trimmed, !raw.isEmpty else { return nil }
            return raw
        }
        func seconds(_ name: String, _ fallback: Int) -> Duration {
            .seconds(value(name).flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil } ?? fallback)
        }
        uri = value("VM_LIBVIRT_URI") ?? Self.defaultURI(for: context.vmType)
        domainType = value("VM_LIBVIRT_DOMAIN_TYPE").flatMap { DomainTypeChoice(rawValue: $0.lowercased()) } ?? .kvm
        cpuMode = value("VM_LIBVIRT_CPU_MODE").map { $0.lowercased() }.flatMap { $0 == "none" ? nil : $0 }
        stopGrace = seconds("VM_GAHP_STOP_GRACE", 10)
        xmlScript = value("LIBVIRT_XML_SCRIPT")
        xmlScriptArguments = value("LIBVIRT_XML_SCRIPT_ARGS").map(XMLScript.splitArguments) ?? []
        xmlScriptTimeout = seconds("VM_GAHP_XML_SCRIPT_TIMEOUT", 30)
        xenBootloader = context.policy.xenBootloader
        bridgeInterface = context.policy.bridgeInterface
    }
}
