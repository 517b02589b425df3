/// One finding of `condor_vm-gahp doctor`: what was checked, what was found, and, when it
/// is not fine, the concrete thing to do about it.
public struct HostCheck: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Fine.
        case pass
        /// VM jobs can run, but something will surprise someone (a networking type not offered...).
        case warn
        /// This host cannot run VM jobs of the type until it is fixed.
        case fail
        /// Not applicable here (the check of another networking type, a start test not asked for).
        case skip
    }

    /// What was checked, e.g. `libvirt daemon at qemu:///system`.
    public var title: String
    public var status: Status
    /// What was found.
    public var detail: String
    /// What to do; set whenever the status is `warn` or `fail`.
    public var fix: String?

    public init(_ title: String, _ status: Status, _ detail: String, fix: String? = nil) {
        self.title = title
        self.status = status
        self.detail = detail
        self.fix = fix
    }

    public static func pass(_ title: String, _ detail: String) -> HostCheck { HostCheck(title, .pass, detail) }
    public static func warn(_ title: String, _ detail: String, fix: String) -> HostCheck { HostCheck(title, .warn, detail, fix: fix) }
    public static func fail(_ title: String, _ detail: String, fix: String) -> HostCheck { HostCheck(title, .fail, detail, fix: fix) }
    public static func skip(_ title: String, _ detail: String) -> HostCheck { HostCheck(title, .skip, detail) }
}

/// What a driver adds to `condor_vm-gahp doctor`. The command runs the checks that do not
/// depend on the hypervisor (configuration, execute directory, the probe's attributes)
/// itself, and asks the driver registered for the type for the rest, so the composition
/// root stays the only place that knows the drivers.
public struct DriverDoctor: Sendable {
    /// The driver's host checks, in the order an admin should fix them: devices, the
    /// hypervisor or its daemon, networking, the type's own knobs (`XEN_BOOTLOADER`,
    /// `VMWARE_PERL`...).
    public var checks: @Sendable (DriverContext) async -> [HostCheck]
    /// Starts a throw-away VM whose files live in the given (empty, scratch) directory and
    /// destroys it again (`doctor --start-test`). Nil when the driver cannot do that.
    public var startTest: (@Sendable (DriverContext, String) async -> HostCheck)?

    public init(
        checks: @escaping @Sendable (DriverContext) async -> [HostCheck],
        startTest: (@Sendable (DriverContext, String) async -> HostCheck)? = nil
    ) {
        self.checks = checks
        self.startTest = startTest
    }
}
