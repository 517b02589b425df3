/// The hypervisor-side name of a job's VM: `<User with @ as _>_<ClusterId>.<ProcId>`, as
/// HTCondor builds it, so tools and admins find the same names they know.
public enum DomainName {
    /// Longest name we hand out. libvirt has no hard limit, but QEMU puts the name into
    /// socket and log paths (`sun_path` holds 108 bytes), and no real user name comes close.
    public static let maxLength = 200

    /// The name, or nil when `user` holds anything but `[A-Za-z0-9._@+-]` or the result is
    /// too long.
    ///
    /// Unsafe characters are refused rather than mapped: the name is the only key the gahp
    /// uses to find, stop and destroy a VM, and a mapping (say `/` and `\` both to `_`)
    /// could give two users the same name and let one job stop another's VM. The allowed
    /// set needs no escaping in XML or in a command line, and a leading `-` cannot occur
    /// because the cluster id always follows the user part and the user part is checked not
    /// to start with one.
    public static func make(user: String, clusterId: Int, procId: Int) -> String? {
        guard !user.isEmpty, clusterId >= 0, procId >= 0, !user.hasPrefix("-"),
              user.utf8.allSatisfy(isAllowed)
        else { return nil }
        let name = String(user.map { $0 == "@" ? "_" : $0 }) + "_\(clusterId).\(procId)"
        return name.utf8.count <= maxLength ? name : nil
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "@"), UInt8(ascii: "+"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}
