import VMCore

/// The choices the job does not make but the host does, for one domain description.
public struct DomainOptions: Sendable, Equatable {
    /// How QEMU's `user` networking is implemented.
    public enum UserBackend: String, Sendable {
        /// passt (libvirt's `<backend type='passt'/>`): needs a libvirt that knows it and the binary.
        case passt
        /// QEMU's built-in slirp (`<interface type='user'/>` with no backend).
        case slirp
    }

    /// `<domain type=...>`: `kvm`, `qemu` (TCG) or `xen`.
    public var domainType: String
    /// `<cpu mode=...>`, or `nil` for libvirt's default CPU model.
    public var cpuMode: String?
    /// The file the guest's serial console is appended to (QEMU only).
    public var consoleLog: String?
    public var userBackend: UserBackend
    /// `XEN_BOOTLOADER`, for `VMPARAM_Xen_Kernel = included`.
    public var xenBootloader: String?

    public init(
        domainType: String, cpuMode: String? = nil, consoleLog: String? = nil,
        userBackend: UserBackend = .slirp, xenBootloader: String? = nil
    ) {
        self.domainType = domainType
        self.cpuMode = cpuMode
        self.consoleLog = consoleLog
        self.userBackend = userBackend
        self.xenBootloader = xenBootloader
    }
}

/// Builds libvirt domain XML for a validated job.
///
/// Unlike HTCondor's built-in generator this one escapes every value, gives the guest
/// ACPI (so STOP's shutdown request is honoured), destroys the domain on power-off (a
/// job that ends by itself disappears) and describes Xen HVM as a real `hvm` domain.
public enum DomainXML {
    public static func render(_ job: JobDescription, _ options: DomainOptions) -> String {
        build(job, options).rendered()
    }

    static func build(_ job: JobDescription, _ options: DomainOptions) -> XMLTag {
        let isXen = options.domainType == "xen"
        var domain = XMLTag("domain", [("type", options.domainType)])
        domain.append(XMLTag("name", text: job.name))
        domain.append(XMLTag("memory", [("unit", "KiB")], text: String(job.memoryMiB * 1024)))
        domain.append(XMLTag("vcpu", text: String(max(job.vcpus, 1))))
        if let mode = options.cpuMode, !isXen {
            domain.append(XMLTag("cpu", [("mode", mode)]))
        }
        let paravirtual: Bool
        switch (isXen, job.xen) {
        case (true, .bootloader?):
            paravirtual = true
            if let loader = options.xenBootloader { domain.append(XMLTag("bootloader", text: loader)) }
            domain.append(XMLTag("os", children: [XMLTag("type", text: "xen")]))
        case (true, .kernel(let kernel, let initrd, let root, let parameters)?):
            paravirtual = true
            var os = XMLTag("os", children: [XMLTag("type", text: "xen"), XMLTag("kernel", text: kernel)])
            if let initrd { os.append(XMLTag("initrd", text: initrd)) }
            let cmdline = (["root=\(root)"] + (parameters.map { [$0] } ?? [])).joined(separator: " ")
            os.append(XMLTag("cmdline", text: cmdline))
            domain.append(os)
        default:
            paravirtual = false
            domain.append(hvmOS(job))
        }
        if !paravirtual {
            domain.append(XMLTag("features", children: [XMLTag("acpi"), XMLTag("apic")]))
        }
        domain.append(XMLTag("on_poweroff", text: "destroy"))
        domain.append(XMLTag("on_reboot", text: "restart"))
        domain.append(XMLTag("on_crash", text: "destroy"))
        domain.append(devices(job, options, isXen: isXen))
        return domain
    }

    private static func hvmOS(_ job: JobDescription) -> XMLTag {
        var os = XMLTag("os", children: [XMLTag("type", text: "hvm")])
        os.append(XMLTag("boot", [("dev", "hd")]))
        if job.disks.contains(where: \.isCDROM) { os.append(XMLTag("boot", [("dev", "cdrom")])) }
        return os
    }

    private static func devices(_ job: JobDescription, _ options: DomainOptions, isXen: Bool) -> XMLTag {
        var devices = XMLTag("devices")
        for disk in job.disks { devices.append(self.disk(disk)) }
        if let net = job.networking { devices.append(interface(net, options, isXen: isXen)) }
        if let log = options.consoleLog, !isXen {
            let source = XMLTag("source", [("path", log), ("append", "on")])
            devices.append(XMLTag("serial", [("type", "file")], children: [source, XMLTag("target", [("port", "0")])]))
            devices.append(XMLTag("console", [("type", "file")], children: [
                source, XMLTag("target", [("type", "serial"), ("port", "0")]),
            ]))
        } else {
            devices.append(XMLTag("console", [("type", "pty")]))
        }
        if job.vncConsole {
            // Loopback only: the console is for the host's admin, never the network.
            devices.append(XMLTag("graphics", [("type", "vnc"), ("port", "-1"), ("autoport", "yes"), ("listen", "127.0.0.1")]))
        }
        return devices
    }

    /// Every disk names its format (raw when the job declared none) and an empty backing
    /// chain, so neither libvirt nor QEMU probes the file or follows a backing file it names,
    /// even if the image changed after START inspected it.
    private static func disk(_ disk: JobDescription.Disk) -> XMLTag {
        var element = XMLTag("disk", [("type", "file"), ("device", disk.isCDROM ? "cdrom" : "disk")])
        element.append(XMLTag("driver", [("name", "qemu"), ("type", disk.format ?? "raw")]))
        element.append(XMLTag("source", [("file", disk.path)]))
        element.append(XMLTag("backingStore"))
        element.append(XMLTag("target", [("dev", disk.device)]))
        if !disk.writable || disk.isCDROM { element.append(XMLTag("readonly")) }
        return element
    }

    private static func interface(_ net: JobDescription.Networking, _ options: DomainOptions, isXen: Bool) -> XMLTag {
        var element: XMLTag
        switch net.kind {
        case .nat:
            element = XMLTag("interface", [("type", "network")], children: [XMLTag("source", [("network", "default")])])
        case .bridge:
            element = XMLTag("interface", [("type", "bridge")])
            if let bridge = net.bridgeInterface { element.append(XMLTag("source", [("bridge", bridge)])) }
        case .user:
            element = XMLTag("interface", [("type", "user")])
        }
        if let mac = net.mac { element.append(XMLTag("mac", [("address", mac)])) }
        if !isXen { element.append(XMLTag("model", [("type", "virtio")])) }
        if net.kind == .user, options.userBackend == .passt { element.append(XMLTag("backend", [("type", "passt")])) }
        return element
    }
}
