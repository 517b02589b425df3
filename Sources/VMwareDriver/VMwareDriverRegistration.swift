import VMCore

#if canImport(Glibc)
import Glibc
#endif

/// The VMware driver's entry for the binary's `DriverRegistry`.
public enum VMwareDriverRegistration {
    public static let entry = DriverRegistry.Entry(
        vmTypes: ["vmware"], isUsable: isUsable, make: { context in try VMwareDriver(context) }, doctor: doctor)

    /// `condor_vm-gahp doctor vmware`: VMWARE_PERL, VMWARE_SCRIPT and the VMware CLI, each
    /// with what is wrong and how to mend it.
    public static let doctor = DriverDoctor(checks: { context in
        VMwareHostCheck.run(VMwareSettings(context), path: context.environment["PATH"]).map { finding in
            finding.usable
                ? .pass(finding.subject, finding.detail)
                : .fail(finding.subject, "\(finding.subject) is not usable", fix: finding.detail)
        }
    })

    /// Cheap check: a VMware command-line tool is in `PATH`. Whether VMWARE_PERL and
    /// VMWARE_SCRIPT are usable needs the configuration; the driver checks that when it is
    /// made (`VMwareHostCheck`), and the probe runs the script's `check`.
    @Sendable public static func isUsable(_ vmType: String) -> Bool {
        guard vmType.lowercased() == "vmware" else { return false }
        let path = getenv("PATH").map { String(cString: $0) }
        return VMwareHostCheck.cliFinding(path: path).usable
    }
}
