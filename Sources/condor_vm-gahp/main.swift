import LibvirtDriver
import VMCore
import VMGahpCommand

/// The drivers this binary offers: libvirt for KVM and Xen.
await VMGahpMain.main(registry: DriverRegistry([LibvirtDriverRegistration.entry]))
