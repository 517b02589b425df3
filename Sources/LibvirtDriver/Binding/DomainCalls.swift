import CLibvirt
import Glibc

/// What `virDomainGetInfo` reports.
struct DomainInfo: Sendable, Equatable {
    /// `virDomainState`.
    var state: Int32
    var cpuTimeNanoseconds: UInt64
    var memoryKiB: UInt64
    var maxMemoryKiB: UInt64
    var vcpus: Int

    var isRunning: Bool {
        state == Int32(VIR_DOMAIN_RUNNING.rawValue) || state == Int32(VIR_DOMAIN_BLOCKED.rawValue)
            // being shut down: still alive until it stops
            || state == Int32(VIR_DOMAIN_SHUTDOWN.rawValue)
    }
    var isPaused: Bool {
        state == Int32(VIR_DOMAIN_PAUSED.rawValue) || state == Int32(VIR_DOMAIN_PMSUSPENDED.rawValue)
    }
}

/// Thin typed wrappers over the libvirt calls the driver makes. Each blocks.
enum Libvirt {
    /// Creates and starts a transient domain; returns its name.
    static func createTransient(_ conn: OpaquePointer, xml: String) throws(LibvirtError) {
        let dom = try check(virDomainCreateXML(conn, xml, 0), "virDomainCreateXML")
        virDomainFree(dom)
    }

    /// Restores a saved domain, replacing its description by `xml` when given (new paths
    /// after the job moved to another working directory).
    static func restore(_ conn: OpaquePointer, from path: String, xml: String?) throws(LibvirtError) {
        try check(virDomainRestoreFlags(conn, path, xml, 0), "virDomainRestoreFlags(\(path))")
    }

    static func info(_ dom: OpaquePointer) throws(LibvirtError) -> DomainInfo {
        var raw = virDomainInfo()
        try check(virDomainGetInfo(dom, &raw), "virDomainGetInfo")
        return DomainInfo(
            state: Int32(raw.state), cpuTimeNanoseconds: raw.cpuTime, memoryKiB: UInt64(raw.memory),
            maxMemoryKiB: UInt64(raw.maxMem), vcpus: Int(raw.nrVirtCpu))
    }

    static func xml(_ dom: OpaquePointer) throws(LibvirtError) -> String {
        let raw = try check(virDomainGetXMLDesc(dom, 0), "virDomainGetXMLDesc")
        defer { free(raw) }
        return String(cString: raw)
    }

    static func shutdown(_ dom: OpaquePointer) throws(LibvirtError) {
        try check(virDomainShutdown(dom), "virDomainShutdown")
    }

    static func destroy(_ dom: OpaquePointer) throws(LibvirtError) {
        try check(virDomainDestroy(dom), "virDomainDestroy")
    }

    static func pause(_ dom: OpaquePointer) throws(LibvirtError) {
        try check(virDomainSuspend(dom), "virDomainSuspend")
    }

    static func unpause(_ dom: OpaquePointer) throws(LibvirtError) {
        try check(virDomainResume(dom), "virDomainResume")
    }

    static func save(_ dom: OpaquePointer, to path: String) throws(LibvirtError) {
        try check(virDomainSave(dom, path), "virDomainSave(\(path))")
    }

    /// The guest's addresses per MAC, as libvirt learnt them from `source`
    /// (`VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE`, `_ARP`, ...).
    static func addresses(_ dom: OpaquePointer, source: virDomainInterfaceAddressesSource) throws(LibvirtError) -> [(mac: String?, ips: [String])] {
        var ifaces: UnsafeMutablePointer<virDomainInterfacePtr?>?
        let count = try check(virDomainInterfaceAddresses(dom, &ifaces, source.rawValue, 0), "virDomainInterfaceAddresses")
        guard let ifaces else { return [] }
        defer {
            for i in 0..<Int(count) { virDomainInterfaceFree(ifaces[i]) }
            free(ifaces)
        }
        return (0..<Int(count)).compactMap { i in
            guard let iface = ifaces[i]?.pointee else { return nil }
            let ips = (0..<Int(iface.naddrs)).compactMap { j in iface.addrs[j].addr.map { String(cString: $0) } }
            return (iface.hwaddr.map { String(cString: $0) }, ips)
        }
    }

    static func domainCapabilities(_ conn: OpaquePointer, virtType: String) throws(LibvirtError) -> String {
        let raw = try check(
            virConnectGetDomainCapabilities(conn, nil, nil, nil, virtType, 0), "virConnectGetDomainCapabilities")
        defer { free(raw) }
        return String(cString: raw)
    }

    /// The daemon's libvirt version (major × 1,000,000 + minor × 1,000 + release).
    static func libVersion(_ conn: OpaquePointer) throws(LibvirtError) -> UInt {
        var version: UInt = 0
        try check(virConnectGetLibVersion(conn, &version), "virConnectGetLibVersion")
        return version
    }

    /// The hypervisor behind the connection (`QEMU`, `Xen`, `TEST`) and its version, encoded
    /// as `libVersion` is; 0 when the driver does not report one.
    static func hypervisor(_ conn: OpaquePointer) throws(LibvirtError) -> (type: String, version: UInt) {
        let type = try check(virConnectGetType(conn), "virConnectGetType")
        var version: UInt = 0
        try check(virConnectGetVersion(conn, &version), "virConnectGetVersion")
        return (String(cString: type), version)
    }

    /// Whether the libvirt network of that name exists and is active.
    static func networkIsActive(_ conn: OpaquePointer, name: String) -> Bool {
        guard let net = virNetworkLookupByName(conn, name) else {
            virResetLastError()
            return false
        }
        defer { virNetworkFree(net) }
        let active = virNetworkIsActive(net)
        if active < 0 { virResetLastError() }
        return active == 1
    }
}
