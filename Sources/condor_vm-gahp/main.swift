import LibvirtDriver
import VMCore
import VMGahpCommand
import VMwareDriver

/// The drivers this binary offers: libvirt for KVM and Xen, our Perl script for VMware.
await VMGahpMain.main(registry: DriverRegistry([LibvirtDriverRegistration.entry, VMwareDriverRegistration.entry]))
