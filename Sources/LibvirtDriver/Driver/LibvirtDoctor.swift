import CLibvirt
import FoundationEssentials
import Glibc
import VMCore

/// The libvirt driver's part of `condor_vm-gahp doctor`: the device, the daemon and what it
/// can create, the networks the configuration asks for, Xen's bootloader, and a throw-away
/// VM on request. Each finding names the fix in the admin's terms (a command, a knob).
enum LibvirtDoctor {
    static let doctor = DriverDoctor(checks: checks, startTest: startTest)

    /// How long the daemon may take to answer before it counts as hung: generous, since an
    /// admin can wait and a loaded daemon is slow, not broken (the startd's probe gets 4 s).
    static let daemonDeadline: Duration = .seconds(30)

    @Sendable static func checks(_ context: DriverContext) async -> [HostCheck] {
        let settings = LibvirtSettings(context)
        let vmType = context.vmType.lowercased()
        let testDriver = settings.uri.hasPrefix("test:")
        var found: [HostCheck] = []
        if testDriver {
            found.append(.skip("hypervisor device", "\(settings.uri) is libvirt's built-in test hypervisor: no device needed"))
        } else if vmType == "xen" {
            found.append(xenHost())
        } else {
            if !LibvirtDriverRegistration.isUsable("kvm") {
                found.append(.fail("QEMU", "no QEMU system emulator (qemu-system-x86_64, qemu-kvm) is installed",
                    fix: "apt-get install qemu-system-x86"))
            }
            found.append(kvmDevice(settings))
        }
        let daemon = await inspectDaemon(settings, vmType: vmType)
        found += daemon.checks
        found += networking(context.policy, vmType: vmType, defaultNetworkActive: daemon.defaultNetworkActive)
        if vmType == "xen" { found.append(xenBootloader(context.policy.xenBootloader)) }
        return found
    }

    // MARK: device

    static func kvmDevice(_ settings: LibvirtSettings) -> HostCheck {
        let title = "/dev/kvm"
        let tcgFallback = settings.domainType != .kvm
        var st = stat()
        guard stat("/dev/kvm", &st) == 0 else {
            let detail = "/dev/kvm does not exist: KVM is not available (no VT-x/AMD-V, or the kvm module is not loaded)"
            if tcgFallback {
                return .warn(title, detail + "; VM_LIBVIRT_DOMAIN_TYPE = \(settings.domainType.rawValue) runs jobs in software emulation (slow)",
                    fix: "enable virtualization in the firmware and run 'modprobe kvm_intel' (or kvm_amd) for full speed")
            }
            return .fail(title, detail,
                fix: "enable VT-x/AMD-V in the firmware and run 'modprobe kvm_intel' (or kvm_amd); or set VM_LIBVIRT_DOMAIN_TYPE = qemu for software emulation")
        }
        guard st.st_mode & S_IFMT == S_IFCHR else {
            return .fail(title, "/dev/kvm is not a character device", fix: "remove it and reload the kvm module ('modprobe -r kvm_intel; modprobe kvm_intel')")
        }
        let fd = open("/dev/kvm", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            return .fail(title, "/dev/kvm cannot be opened read-write: \(reason)",
                fix: "make it usable by the hypervisor's user: 'chgrp kvm /dev/kvm; chmod 0660 /dev/kvm' (udev does this when the kvm group exists)")
        }
        close(fd)
        return .pass(title, "present and usable")
    }

    static func xenHost() -> HostCheck {
        let title = "Xen domain 0"
        let capabilities = (try? String(contentsOfFile: "/proc/xen/capabilities", encoding: .utf8)) ?? ""
        if capabilities.contains("control_d") { return .pass(title, "this host is Xen's domain 0") }
        return .fail(title, "this host is not a Xen domain 0 (/proc/xen/capabilities lacks control_d)",
            fix: "boot the Xen hypervisor with this system as domain 0 (Debian: apt-get install xen-system-amd64, then reboot into the Xen entry)")
    }

    // MARK: daemon

    struct DaemonFindings: Sendable {
        var checks: [HostCheck]
        /// nil when the daemon could not be asked.
        var defaultNetworkActive: Bool?
    }

    private struct Answers: Sendable {
        var libVersion: UInt
        var hypervisor: String
        var hypervisorVersion: UInt
        var kvmDomains: Bool?
        var defaultNetworkActive: Bool
    }

    static func inspectDaemon(_ settings: LibvirtSettings, vmType: String) async -> DaemonFindings {
        let uri = settings.uri
        let title = "libvirt at \(uri)"
        let askKVM = vmType == "kvm" && settings.domainType == .kvm && !uri.hasPrefix("test:")
        let outcome = await withDeadline(daemonDeadline) {
            try await BlockingCall.run { () throws -> Answers in
                let connection = Connection(uri: uri) { _ in }
                return try connection.with { (c) throws(LibvirtError) -> Answers in
                    let hypervisor = try Libvirt.hypervisor(c)
                    var kvm: Bool?
                    if askKVM {
                        do throws(LibvirtError) {
                            _ = try Libvirt.domainCapabilities(c, virtType: "kvm")
                            kvm = true
                        } catch {
                            if error.isConnectionLost { throw error }
                            kvm = false
                        }
                    }
                    return Answers(
                        libVersion: try Libvirt.libVersion(c), hypervisor: hypervisor.type,
                        hypervisorVersion: hypervisor.version, kvmDomains: kvm,
                        defaultNetworkActive: Libvirt.networkIsActive(c, name: "default"))
                }
            }
        }
        switch outcome {
        case .timedOut:
            return DaemonFindings(checks: [.fail(title, "no answer within \(daemonDeadline): the daemon is hung or overloaded",
                fix: "look at 'systemctl status libvirtd' (or virtqemud) and its journal; restart it with 'systemctl restart libvirtd'")], defaultNetworkActive: nil)
        case .finished(.failure(let error)):
            return DaemonFindings(checks: [connectFailure(error, uri: uri, vmType: vmType)], defaultNetworkActive: nil)
        case .finished(.success(let answers)):
            var checks: [HostCheck] = [
                .pass(title, "libvirt \(version(answers.libVersion)), hypervisor \(answers.hypervisor) \(version(answers.hypervisorVersion))")
            ]
            switch answers.kvmDomains {
            case false?:
                checks.append(.fail("kvm domains", "libvirt at \(uri) cannot create kvm domains (no KVM support in its QEMU or no /dev/kvm for it)",
                    fix: "make /dev/kvm usable by libvirt's QEMU, or set VM_LIBVIRT_DOMAIN_TYPE = auto (falls back to software emulation)"))
            case true?:
                checks.append(.pass("kvm domains", "libvirt offers hardware-accelerated kvm domains"))
            case nil:
                break
            }
            return DaemonFindings(checks: checks, defaultNetworkActive: answers.defaultNetworkActive)
        }
    }

    /// Names the likely cause of a failed connection from libvirt's error code.
    static func connectFailure(_ error: any Error, uri: String, vmType: String) -> HostCheck {
        let title = "libvirt at \(uri)"
        guard let error = error as? LibvirtError else {
            return .fail(title, "\(error)", fix: "check VM_LIBVIRT_URI and that the libvirt daemon runs")
        }
        let expected = vmType == "xen" ? "xen:///system" : "qemu:///system"
        switch UInt32(bitPattern: error.code) {
        case VIR_ERR_NO_CONNECT.rawValue, VIR_ERR_INVALID_ARG.rawValue:
            return .fail(title, "libvirt cannot open this URI: \(error.message)",
                fix: "set VM_LIBVIRT_URI to a URI this libvirt serves (for \(vmType): \(expected)); 'virsh -c \(expected) version' shows whether it answers")
        case VIR_ERR_AUTH_FAILED.rawValue, VIR_ERR_AUTH_CANCELLED.rawValue, VIR_ERR_AUTH_UNAVAILABLE.rawValue:
            return .fail(title, "the daemon refused this user: \(error.message)",
                fix: "run the gahp as root (HTCondor's starter does), or allow this user in libvirt's polkit/unix_sock_group settings")
        case VIR_ERR_NO_SUPPORT.rawValue where error.domain == 0:
            // LibvirtRuntime's own error: the library itself could not be loaded.
            return .fail(title, error.message, fix: "install libvirt's client library: apt-get install libvirt0")
        case VIR_ERR_SYSTEM_ERROR.rawValue:
            // The client could not reach a daemon's socket at all.
            return .fail(title, "no libvirt daemon answers: \(error.message)",
                fix: "start it: 'systemctl enable --now libvirtd' (or virtqemud/virtxend with modular daemons); apt-get install libvirt-daemon-system if it is missing")
        default:
            return .fail(title, "the daemon refused the connection: \(error.message)",
                fix: "check VM_LIBVIRT_URI (for \(vmType): \(expected)); 'virsh -c \(uri) version' shows what libvirt makes of it")
        }
    }

    static func version(_ encoded: UInt) -> String {
        encoded == 0 ? "(version unknown)" : "\(encoded / 1_000_000).\(encoded / 1_000 % 1_000).\(encoded % 1_000)"
    }

    // MARK: networking

    static func networking(_ policy: HostPolicy, vmType: String, defaultNetworkActive: Bool?) -> [HostCheck] {
        guard policy.networkingEnabled else {
            return [.skip("networking", "VM_NETWORKING is false: jobs get no network interface")]
        }
        return policy.networkingTypes.map { kind in
            // A broken type that jobs get by default fails their START; another one is only
            // not advertised, so jobs asking for it do not match this host.
            let isDefault = policy.defaultNetworkingType == kind || policy.networkingTypes.count == 1
            func broken(_ title: String, _ detail: String, fix: String) -> HostCheck {
                isDefault ? .fail(title, detail + " (it is the default networking type)", fix: fix)
                    : .warn(title, detail + "; the probe leaves it out of VM_Networking_Types", fix: fix)
            }
            switch kind {
            case .nat:
                let title = "nat networking (libvirt network 'default')"
                switch defaultNetworkActive {
                case true?: return .pass(title, "the network 'default' is active")
                case false?:
                    return broken(title, "libvirt has no active network 'default'",
                        fix: "'virsh net-start default; virsh net-autostart default' (define it first with 'virsh net-define /usr/share/libvirt/networks/default.xml' if it is missing)")
                case nil: return .skip(title, "not checked: libvirt did not answer")
                }
            case .bridge:
                let title = "bridge networking"
                guard let name = policy.bridgeInterface else {
                    return broken(title, "VM_NETWORKING_BRIDGE_INTERFACE is not set", fix: "set VM_NETWORKING_BRIDGE_INTERFACE to the host's bridge (e.g. br0)")
                }
                switch BridgeState(name) {
                case .bridge: return .pass(title, "\(name) is a bridge")
                case .notABridge:
                    return broken(title, "\(name) exists but is not a bridge",
                        fix: "create a bridge enslaving \(name) (e.g. 'ip link add br0 type bridge; ip link set \(name) master br0') and set VM_NETWORKING_BRIDGE_INTERFACE = br0")
                case .missing:
                    let existing = BridgeState.bridges()
                    let hint = existing.isEmpty ? "create one (e.g. 'ip link add \(name) type bridge', persistently in /etc/network/interfaces)"
                        : "set VM_NETWORKING_BRIDGE_INTERFACE to one of this host's bridges (\(existing.joined(separator: ", "))) or create \(name)"
                    return broken(title, "there is no network interface \(name)", fix: hint)
                }
            case .user:
                let title = "user networking"
                if vmType == "kvm" { return .pass(title, "QEMU's user-mode networking needs nothing from the host") }
                return broken(title, "Xen has no user-mode networking", fix: "remove 'user' from VM_NETWORKING_TYPE")
            }
        }
    }

    /// What `/sys/class/net` says about an interface name.
    enum BridgeState: Equatable {
        case missing, notABridge, bridge

        init(_ name: String) {
            if FileManager.default.fileExists(atPath: "/sys/class/net/\(name)/bridge") {
                self = .bridge
            } else if FileManager.default.fileExists(atPath: "/sys/class/net/\(name)") {
                self = .notABridge
            } else {
                self = .missing
            }
        }

        static func bridges() -> [String] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
            return names.filter { BridgeState($0) == .bridge }.sorted()
        }
    }

    // MARK: Xen

    static func xenBootloader(_ path: String?) -> HostCheck {
        let title = "XEN_BOOTLOADER"
        guard let path else {
            return .warn(title, "not set: jobs with xen_kernel = included cannot start",
                fix: "set XEN_BOOTLOADER to pygrub (Debian: /usr/lib/xen-<version>/bin/pygrub)")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return .fail(title, "\(path) does not exist or is not executable",
                fix: "install it (apt-get install xen-utils-common) or point XEN_BOOTLOADER at the real pygrub")
        }
        return .pass(title, path)
    }

    // MARK: start test

    /// Boots a 64 MiB guest from an empty disk (it sits in the firmware, which is enough to
    /// show the whole path works), then tears it down and makes sure it is gone.
    @Sendable static func startTest(_ context: DriverContext, _ directory: String) async -> HostCheck {
        let title = "start test"
        let name = "vmgahp-doctor-\(UInt32.random(in: 1...UInt32.max))"
        let disk = directory + "/doctor-disk.img"
        // Created here, never following a link that was already there.
        let fd = open(disk, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0, ftruncate(fd, 1 << 20) == 0 else {
            if fd >= 0 { close(fd) }
            return .fail(title, "cannot create \(disk): \(String(cString: strerror(errno)))", fix: "make \(directory) writable")
        }
        close(fd)
        let vmType = context.vmType.lowercased()
        let job = JobDescription(
            vmType: vmType, name: name, workingDirectory: directory, memoryMiB: 64, vcpus: 1,
            disks: [.init(path: disk, device: vmType == "xen" ? "xvda" : "vda", writable: true, format: "raw", isCDROM: false)])
        let driver = LibvirtDriver(context)
        let clock = ContinuousClock()
        let began = clock.now
        let vm: any VirtualMachine
        do {
            vm = try await driver.start(job)
        } catch {
            return .fail(title, "a throw-away VM did not start: \(error)", fix: "see the libvirt daemon's log (journalctl -u libvirtd) for why QEMU failed")
        }
        let status = try? await vm.status()
        await vm.tearDown()
        try? await driver.destroy(name: name)
        let elapsed = (clock.now - began).components
        let milliseconds = elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000
        let state = status.map { "\($0.state)" } ?? "unknown"
        return .pass(title, "\(name) started (\(state)) and was destroyed in \(milliseconds) ms")
    }
}
