import Foundation
import FoundationXML
import Testing
import TestSupport
import VMCore

@testable import LibvirtDriver

/// Every XML the built-in generator can produce is valid against libvirt's own schema.
@Suite struct DomainXMLTests {
    static let validator = "/usr/bin/virt-xml-validate"

    /// Runs `virt-xml-validate FILE domain`; nil when it is not installed.
    ///
    /// The wait runs on a thread of its own: the corpus needs dozens of runs, and blocking a
    /// cooperative thread that long stalls every other test on a two-core host.
    static func validate(_ xml: String, in directory: JobDirectory, label: String) async throws -> (ok: Bool, output: String)? {
        guard FileManager.default.isExecutableFile(atPath: validator),
            FileManager.default.isExecutableFile(atPath: "/usr/bin/xmllint")
        else { return nil }
        let file = directory.file("domain-\(label).xml")
        try xml.write(toFile: file, atomically: true, encoding: .utf8)
        return try await BlockingCall.run { try runValidator(on: file) }
    }

    private static func runValidator(on file: String) throws -> (ok: Bool, output: String) {
        let (status, output) = try Tools.output(validator, [file, "domain"])
        return (status == 0, output)
    }

    /// The option combinations a host can choose, for one job.
    static func optionVariants(for job: JobDescription) -> [DomainOptions] {
        if job.vmType == "xen" {
            return [DomainOptions(domainType: "xen", xenBootloader: "/usr/bin/pygrub"), DomainOptions(domainType: "xen")]
        }
        var variants: [DomainOptions] = []
        for type in ["kvm", "qemu"] {
            for cpu in [nil, "host-passthrough", "host-model"] {
                for backend in [DomainOptions.UserBackend.slirp, .passt] {
                    variants.append(DomainOptions(domainType: type, cpuMode: cpu, consoleLog: "/tmp/console.log", userBackend: backend))
                }
            }
        }
        variants.append(DomainOptions(domainType: "kvm"))
        return variants
    }

    /// Each corpus job in every networking flavour as well as its own.
    static func networkVariants(of job: JobDescription) -> [JobDescription] {
        var jobs = [job]
        let kinds: [JobDescription.Networking.Kind] = job.vmType == "xen" ? [.nat, .bridge] : [.nat, .bridge, .user]
        for kind in kinds {
            for mac in [nil, "52:54:00:ab:cd:ef"] {
                var copy = job
                copy.networking = .init(kind: kind, mac: mac, bridgeInterface: kind == .bridge ? "br0" : nil)
                copy.vncConsole.toggle()
                jobs.append(copy)
            }
        }
        return jobs
    }

    @Test func everyCorpusJobInEveryVariantIsSchemaValid() async throws {
        let directory = try JobDirectory()
        var checked = 0
        var failures: [String] = []
        for (ad, base) in try directory.corpusJobs() {
            for (n, job) in Self.networkVariants(of: base).enumerated() {
                let options = Self.optionVariants(for: job)
                // Every option set for the ad's own job, one rotating option set for the variants.
                for (m, option) in options.enumerated() where n == 0 || m == n % options.count {
                    let xml = DomainXML.render(job, option)
                    guard let result = try await Self.validate(xml, in: directory, label: "\(ad)-\(n)-\(m)") else {
                        print("SKIP: virt-xml-validate or xmllint is not installed (apt-get install libvirt-clients libxml2-utils)")
                        return
                    }
                    checked += 1
                    if !result.ok { failures.append("\(ad) variant \(n)/\(m): \(result.output)\n\(xml)") }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n---\n"))")
        #expect(checked > 50)
    }

    @Test func hostileValuesAreEscapedAndRoundTrip() async throws {
        let directory = try JobDirectory()
        let hostile = "we'ird \"disk\" <1> & more.img"
        try directory.directory.write(hostile, "")
        var job = directory.job(name: "name_with_&<'\">_1.0", disks: [directory.disk(hostile, "vda")])
        job.networking = .init(kind: .bridge, bridgeInterface: "br'0&")
        let xml = DomainXML.render(job, DomainOptions(domainType: "kvm", consoleLog: directory.file("con'sole&.log")))
        #expect(!xml.contains(hostile))
        let document = try XMLDocument(xmlString: xml)
        #expect(try document.nodes(forXPath: "/domain/name").first?.stringValue == job.name)
        let source = try document.nodes(forXPath: "/domain/devices/disk/source").first as? FoundationXML.XMLElement
        #expect(source?.attribute(forName: "file")?.stringValue == directory.file(hostile))
        let bridge = try document.nodes(forXPath: "/domain/devices/interface/source").first as? FoundationXML.XMLElement
        #expect(bridge?.attribute(forName: "bridge")?.stringValue == "br'0&")
        // libvirt's schema forbids such characters in names and bridge names, but a path
        // may hold them: with only the path hostile the document must still be valid.
        let pathOnly = DomainXML.render(directory.job(disks: [directory.disk(hostile, "vda")]), DomainOptions(domainType: "kvm"))
        if let result = try await Self.validate(pathOnly, in: directory, label: "hostile") {
            #expect(result.ok, "\(result.output)")
        }
    }

    @Test func kvmDomainHasWhatTheGahpReliesOn() throws {
        let directory = try JobDirectory()
        var job = directory.job(memory: 128, disks: [
            directory.disk("disk.qcow2", "vda", format: "qcow2"), directory.disk("boot.iso", "hdc", writable: false),
            directory.disk("data.img", "vdb", writable: false),
        ])
        job.vcpus = 2
        job.networking = .init(kind: .user, mac: "52:54:00:00:00:01")
        let options = DomainOptions(domainType: "kvm", cpuMode: "host-model", consoleLog: "/w/console.log", userBackend: .passt)
        let document = try XMLDocument(xmlString: DomainXML.render(job, options))
        func values(_ path: String) throws -> [String] { try document.nodes(forXPath: path).compactMap(\.stringValue) }
        #expect(try values("/domain/@type") == ["kvm"])
        #expect(try values("/domain/memory") == ["131072"])
        #expect(try values("/domain/memory/@unit") == ["KiB"])
        #expect(try values("/domain/vcpu") == ["2"])
        #expect(try values("/domain/cpu/@mode") == ["host-model"])
        #expect(try values("/domain/os/boot/@dev") == ["hd", "cdrom"])
        #expect(try document.nodes(forXPath: "/domain/features/acpi").count == 1)
        #expect(try values("/domain/on_poweroff") == ["destroy"])
        #expect(try values("/domain/devices/disk/@device") == ["disk", "cdrom", "disk"])
        #expect(try values("/domain/devices/disk/driver/@type") == ["qcow2", "raw", "raw"], "every disk names its format")
        #expect(try document.nodes(forXPath: "/domain/devices/disk/backingStore[not(node())]").count == 3, "and an empty backing chain")
        #expect(try document.nodes(forXPath: "/domain/devices/disk/readonly").count == 2)
        #expect(try values("/domain/devices/serial/source/@path") == ["/w/console.log"])
        #expect(try values("/domain/devices/interface/@type") == ["user"])
        #expect(try values("/domain/devices/interface/mac/@address") == ["52:54:00:00:00:01"])
        #expect(try values("/domain/devices/interface/model/@type") == ["virtio"])
        #expect(try values("/domain/devices/interface/backend/@type") == ["passt"])
        #expect(try document.nodes(forXPath: "/domain/devices/graphics").isEmpty)
    }

    @Test func xenBootFlavours() throws {
        let directory = try JobDirectory()
        let jobs = Dictionary(uniqueKeysWithValues: try directory.corpusJobs().map { ($0.ad, $0.job) })
        func doc(_ ad: String) throws -> XMLDocument {
            try XMLDocument(xmlString: DomainXML.render(jobs[ad]!, DomainOptions(domainType: "xen", xenBootloader: "/usr/bin/pygrub")))
        }
        let pv = try doc("xen-pv")
        #expect(try pv.nodes(forXPath: "/domain/os/type").first?.stringValue == "xen")
        #expect(try pv.nodes(forXPath: "/domain/os/kernel").first?.stringValue == directory.file("vmlinuz"))
        #expect(try pv.nodes(forXPath: "/domain/os/cmdline").first?.stringValue == "root=/dev/xvda1 console=hvc0 quiet")
        let included = try doc("xen-included")
        #expect(try included.nodes(forXPath: "/domain/bootloader").first?.stringValue == "/usr/bin/pygrub")
        #expect(try included.nodes(forXPath: "/domain/os/kernel").isEmpty)
        let hvm = try doc("xen-hvm")
        #expect(try hvm.nodes(forXPath: "/domain/os/type").first?.stringValue == "hvm")
        #expect(try hvm.nodes(forXPath: "/domain/features/acpi").count == 1)
    }
}
