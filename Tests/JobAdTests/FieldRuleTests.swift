import Testing
@testable import JobAd

@Suite struct FieldRuleTests {
    @Test(arguments: ["vda", "VDB", "hdc", "sda", "sdaa", "xvda", "xvdb", "xvda1", "xvdz15"])
    func acceptsDeviceNames(_ name: String) {
        #expect(DiskFieldRules.device(name) == name.lowercased())
    }

    @Test(arguments: ["", "vd", "vda1", "hda1", "xvda0", "xvda123", "vdabc", "nvme0n1", "fd0", "vda/../x", "vd<a", "vda'", "vda\0", "v da", "ｖda"])
    func refusesDeviceNames(_ name: String) {
        #expect(DiskFieldRules.device(name) == nil)
    }

    @Test func formats() {
        for format in ["raw", "QCOW2", "qed", "vmdk", "vdi", "vpc", "vhdx"] {
            #expect(DiskFieldRules.format(format) == format.lowercased())
        }
        for format in ["iso", "", "qcow2'", "qcow", "raw&", "bochs"] {
            #expect(DiskFieldRules.format(format) == nil)
        }
    }

    @Test func permissions() {
        #expect(DiskFieldRules.writable("r") == false)
        #expect(DiskFieldRules.writable("R") == false)
        #expect(DiskFieldRules.writable("w") == true)
        #expect(DiskFieldRules.writable("RW") == true)
        #expect(DiskFieldRules.writable("rw ") == nil)
        #expect(DiskFieldRules.writable("x") == nil)
        #expect(DiskFieldRules.writable("") == nil)
    }

    @Test func macAddresses() {
        #expect(NetworkRules.mac("52:54:00:12:34:56") == "52:54:00:12:34:56")
        #expect(NetworkRules.mac("52:54:00:AB:cd:EF") == "52:54:00:ab:cd:ef")
        #expect(NetworkRules.mac("00:00:00:00:00:00") == "00:00:00:00:00:00")
        for bad in ["01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "52:54:00:12:34", "52:54:00:12:34:56:78",
                    "52-54-00-12-34-56", "5254.0012.3456", "52:54:00:12:34:5g", "52:54:00:12:34:5", "52:54:00:12:34:566",
                    "52:54:00:12:34:56'", "+2:54:00:12:34:56", "５2:54:00:12:34:56", ""] {
            #expect(NetworkRules.mac(bad) == nil, "\(bad)")
        }
    }

    @Test func interfaceNames() {
        for good in ["br0", "virbr0", "br-lan", "eth0.100", "a", "abcdefghijklmno"] {
            #expect(NetworkRules.isInterfaceName(good), "\(good)")
        }
        for bad in ["", ".", "..", "abcdefghijklmnop", "br 0", "br/0", "br:0", "br0'", "br<0>", "br&0", "br\n0"] {
            #expect(!NetworkRules.isInterfaceName(bad), "\(bad)")
        }
    }

    @Test func domainNames() {
        #expect(DomainName.make(user: "alice@submit.example.org", clusterId: 4242, procId: 0) == "alice_submit.example.org_4242.0")
        #expect(DomainName.make(user: "a+b-c.d_e", clusterId: 1, procId: 2) == "a+b-c.d_e_1.2")
        for bad in ["", "-rf", "a b", "a/b", "a<b", "a&b", "a'b", "a\"b", "a\nb", "a\0b", "alïce", "a;b", "$(id)"] {
            #expect(DomainName.make(user: bad, clusterId: 1, procId: 0) == nil, "\(bad)")
        }
        #expect(DomainName.make(user: "a", clusterId: -1, procId: 0) == nil)
        #expect(DomainName.make(user: "a", clusterId: 1, procId: -5) == nil)
        #expect(DomainName.make(user: String(repeating: "a", count: 1 << 20), clusterId: 1, procId: 0) == nil)
        #expect(DomainName.make(user: String(repeating: "a", count: 190), clusterId: 1, procId: 0) != nil)
    }

    @Test func textRules() {
        #expect(TextRules.isClean("plain text / with: punctuation <&'\">"))
        for bad in ["a\0b", "a\nb", "a\rb", "a\tb", "a\u{1b}[2J", "a\u{7f}", "a\u{85}", "a\u{FFFD}"] {
            #expect(!TextRules.isClean(bad))
        }
        #expect(TextRules.quoted("a\nb") == "'a\\u{a}b'")
        let long = TextRules.quoted(String(repeating: "x", count: 1 << 20))
        #expect(long.utf8.count < 200)
        #expect(long.hasSuffix("(1048576 bytes)"))
    }
}
