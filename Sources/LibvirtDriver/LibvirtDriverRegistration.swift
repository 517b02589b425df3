import FoundationEssentials
import VMCore

/// The libvirt driver's entry for the binary's `DriverRegistry`.
public enum LibvirtDriverRegistration {
    public static let entry = DriverRegistry.Entry(
        vmTypes: ["xen", "kvm"], isUsable: isUsable, make: { context in LibvirtDriver(context) },
        doctor: LibvirtDoctor.doctor)

    /// Cheap, connection-free check: a QEMU system emulator is installed (for `kvm`; it can
    /// always fall back to TCG through `VM_LIBVIRT_DOMAIN_TYPE`), or this host is a Xen
    /// domain 0 (for `xen`). Whether libvirtd answers is the probe's job.
    @Sendable public static func isUsable(_ vmType: String) -> Bool {
        switch vmType.lowercased() {
        case "kvm":
            return LibvirtDriver.onPath("qemu-system-x86_64") || LibvirtDriver.onPath("qemu-system-aarch64")
                || LibvirtDriver.onPath("qemu-kvm") || FileManager.default.isExecutableFile(atPath: "/usr/libexec/qemu-kvm")
        case "xen":
            return FileManager.default.fileExists(atPath: "/proc/xen/capabilities") || FileManager.default.fileExists(atPath: "/dev/xen")
        default:
            return false
        }
    }
}
