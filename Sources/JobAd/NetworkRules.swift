/// Strict patterns for the networking values that end up in domain XML.
enum NetworkRules {
    /// Six hex octets separated by `:`, unicast (the multicast bit of the first octet is
    /// clear: libvirt refuses a multicast MAC, and a guest must not receive multicast
    /// traffic as its own), returned in lower case.
    static func mac(_ raw: String) -> String? {
        let octets = raw.split(separator: ":", omittingEmptySubsequences: false)
        guard octets.count == 6,
              octets.allSatisfy({ $0.utf8.count == 2 && $0.allSatisfy(\.isHexDigit) && $0.allSatisfy(\.isASCII) }),
              let first = UInt8(octets[0], radix: 16), first & 1 == 0
        else { return nil }
        return raw.lowercased()
    }

    /// Linux interface names: 1 to 15 bytes (`IFNAMSIZ` - 1), not `.` or `..`. The kernel
    /// only forbids `/`, `:` and white space; we also keep out everything but letters,
    /// digits, `_`, `-` and `.`, so the name is safe in XML and on a command line.
    static func isInterfaceName(_ name: String) -> Bool {
        guard (1...15).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
    }
}
