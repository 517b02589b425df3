/// Strict patterns for the fields of one `VMPARAM_vm_Disk` entry. Each returns the
/// normalised value, or nil when the field is not acceptable; the caller names the token.
enum DiskFieldRules {
    /// Guest device names libvirt maps to a bus by prefix: `hd` (IDE), `sd` (SCSI),
    /// `vd` (virtio), `xvd` (Xen), then one or two letters. Xen alone also accepts a
    /// partition number (`xvda1`, as HTCondor's own Xen examples use), because Xen PV can
    /// export a file as a single partition; for emulated buses a partition is meaningless.
    /// Lower-cased first, as HTCondor does.
    static func device(_ raw: String) -> String? {
        let device = raw.lowercased()
        for prefix in ["xvd", "hd", "sd", "vd"] where device.hasPrefix(prefix) {
            let rest = Array(device.utf8.dropFirst(prefix.utf8.count))
            let letters = rest.prefix { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
            let digits = rest.dropFirst(letters.count)
            guard (1...2).contains(letters.count) else { return nil }
            if digits.isEmpty { return device }
            let isPartition = prefix == "xvd" && digits.count <= 2
                && digits.first != UInt8(ascii: "0")
                && digits.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            return isPartition ? device : nil
        }
        return nil
    }

    /// Image formats QEMU opens by name. `iso` is not one of them (QEMU has no such driver:
    /// an ISO image is `raw`), so it is refused rather than handed to libvirt to fail later;
    /// a `.iso` file becomes a CD-ROM by its name, with or without a format.
    static let formats: Set<String> = ["raw", "qcow2", "qed", "vmdk", "vdi", "vpc", "vhdx"]

    static func format(_ raw: String) -> String? {
        let format = raw.lowercased()
        return formats.contains(format) ? format : nil
    }

    /// `r`, `w` or `rw`, any case; returns whether the disk is writable. HTCondor treats
    /// any other text as read-only; we refuse it so a typo does not silently change access.
    static func writable(_ raw: String) -> Bool? {
        switch raw.lowercased() {
        case "r": false
        case "w", "rw": true
        default: nil
        }
    }
}
