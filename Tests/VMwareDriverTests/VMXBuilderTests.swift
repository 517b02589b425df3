import ClassAd
import Foundation
import JobAd
import Testing
import TestSupport
import VMCore
@testable import VMwareDriver

/// The .vmx the driver hands VMware: only hardware keys survive, every file is confined
/// and written as its resolved path, VMDK chains are checked, and the job's memory, name
/// and networking win over its own .vmx.
@Suite struct VMXBuilderTests {
    let host: SimulatedHost

    init() throws { host = try SimulatedHost() }

    static let policy = HostPolicy(
        maxMemoryMiB: 1024, networkingEnabled: true, networkingTypes: [.nat, .bridge], hostCPUs: 2)

    func job(_ extra: [String] = [], policy: HostPolicy = VMXBuilderTests.policy) throws -> JobDescription {
        let lines = try host.adLines(extra)
        return try JobAdReader.describe(ClassAd.parse(lines: lines).ad, adLines: lines, requestedType: "vmware", gahpType: "vmware", policy: policy)
    }

    func build(_ job: JobDescription, settings: [String: String] = [:]) throws -> String {
        try VMXBuilder(job: job, settings: VMwareSettings(setting: { settings[$0] }), allowedRoots: []).build()
    }

    func refusal(_ job: JobDescription) -> VMGAHPError? {
        do { _ = try build(job); return nil } catch { return error as? VMGAHPError }
    }

    func writeVMX(_ text: String) throws {
        try text.write(toFile: host.job + "/winxp.vmx", atomically: false, encoding: .utf8)
    }

    @Test func keepsHardwareAndRewritesTheDisk() throws {
        let vmx = try build(job())
        let lines = Set(vmx.split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: [
            "config.version = \"8\"", "virtualHW.version = \"7\"", "guestOS = \"winxppro\"",
            "scsi0.virtualDev = \"lsilogic\"", "scsi0:0.fileName = \"\(host.job)/winxp.vmdk\"",
            "ethernet0.virtualDev = \"e1000\"", "displayName = \"alice_submit.example.org_4242.0\"",
            "memsize = \"512\"", "numvcpus = \"1\"", "ethernet0.present = \"FALSE\"", "uuid.action = \"keep\"",
        ]))
        // Host devices, shared folders, stray files and the job's own name and memory are gone;
        // so is the independent mode, which would keep the disk out of the snapshot.
        for dropped in ["cdrom-raw", "/dev/cdrom", "/dev/fd0", "serial0", "sharedFolder0", "nvram", "Windows XP", "\"256\"", "independent", "bridged"] {
            #expect(!vmx.contains(dropped), "\(dropped) should be dropped")
        }
    }

    @Test func networkingFollowsTheKnobs() throws {
        let nat = try job(["JobVMNetworking = true", "JobVMNetworkingType = \"nat\""])
        #expect(try build(nat).contains("ethernet0.connectionType = \"nat\"\nethernet0.addressType = \"generated\""))
        #expect(try build(nat, settings: ["VMWARE_NAT_NETWORKING_TYPE": "custom"]).contains("ethernet0.connectionType = \"custom\""))
        let bridge = try job(["JobVMNetworking = true", "JobVMNetworkingType = \"bridge\"", "JobVM_MACADDR = \"00:50:56:01:02:03\""])
        let text = try build(bridge)
        #expect(text.contains("ethernet0.present = \"TRUE\"\nethernet0.connectionType = \"bridged\""))
        #expect(text.contains("ethernet0.addressType = \"static\"\nethernet0.address = \"00:50:56:01:02:03\""))
        let hostile = VMwareSettings(setting: { $0 == "VMWARE_NETWORKING_TYPE" ? "nat\"\nevil = \"1" : nil })
        #expect(throws: VMGAHPError.self) { try VMXBuilder(job: nat, settings: hostile, allowedRoots: []).build() }
    }

    @Test func localSettingsAreAppendedBetweenMarkers() throws {
        let file = try host.root.write("local.vmx", "# site settings\nisolation.tools.copy.disable = \"TRUE\"\n")
        let text = try build(job(), settings: ["VMWARE_LOCAL_SETTINGS_FILE": file])
        #expect(text.hasSuffix("### Start local parameters ###\nisolation.tools.copy.disable = \"TRUE\"\n### End local parameters ###\n"))
        let bad = try host.root.write("bad.vmx", "not a setting\n")
        #expect(throws: VMGAHPError.host(.critical, "VMWARE_LOCAL_SETTINGS_FILE \(bad): line 1 has no =")) {
            try build(job(), settings: ["VMWARE_LOCAL_SETTINGS_FILE": bad])
        }
    }

    @Test func filesTheVMXNamesMustStayInside() throws {
        for name in ["/etc/shadow", "../../../../etc/passwd", "/dev/sda"] {
            try writeVMX("scsi0:0.present = \"TRUE\"\nscsi0:0.fileName = \"\(name)\"\n")
            let error = refusal(try job())
            #expect(error?.code == .badImage && error?.fault == .job, "\(name): \(String(describing: error))")
        }
        try FileManager.default.createSymbolicLink(atPath: host.job + "/escape.vmdk", withDestinationPath: "/etc/passwd")
        try writeVMX("scsi0:0.fileName = \"escape.vmdk\"\n")
        #expect(refusal(try job())?.message.contains("outside the job's working directory") == true)
        try writeVMX("scsi0:0.fileName = \"winxp-s001.vmdk\"\nide1:0.deviceType = \"cdrom-image\"\nide1:0.fileName = \"/etc/hostname\"\n")
        #expect(refusal(try job())?.code == .badImage)
        try writeVMX("scsi0:0.fileName = \"winxp.vmx\"\n")
        #expect(refusal(try job())?.message.contains("not a .vmdk disk") == true)
    }

    @Test func malformedVMXIsTheJobsFault() throws {
        for text in ["scsi0:0.fileName = \"a\"b\"\n", "just words\n", "bad key! = \"1\"\n", "guestOS = \"x\u{1}\"\n"] {
            try writeVMX(text)
            let error = refusal(try job())
            #expect(error?.code == .badImage && error?.fault == .job, "\(text.debugDescription)")
        }
    }

    @Test func vmdkChainsAreChecked() throws {
        func descriptor(_ text: String) throws -> VMGAHPError? {
            try text.write(toFile: host.job + "/winxp.vmdk", atomically: false, encoding: .utf8)
            return refusal(try job())
        }
        #expect(try descriptor(SimulatedHost.descriptor(extent: "winxp-s001.vmdk")) == nil)
        #expect(try descriptor(SimulatedHost.descriptor(extent: "/etc/passwd"))?.message.contains("extent") == true)
        #expect(try descriptor(SimulatedHost.descriptor(extent: "../../../etc/passwd"))?.code == .badImage)
        #expect(try descriptor(SimulatedHost.descriptor(extent: "missing-s002.vmdk"))?.message.contains("does not exist") == true)
        #expect(try descriptor(SimulatedHost.descriptor(extent: "winxp-s001.vmdk", parent: "/var/lib/other/base.vmdk"))?.message.contains("parent") == true)
        #expect(try descriptor(SimulatedHost.descriptor(extent: "winxp-s001.vmdk", createType: "fullDevice"))?.message.contains("raw-device") == true)
        #expect(try descriptor("RW 100 FLAT \"/etc/passwd\" 0\n")?.message.contains("neither a VMDK descriptor") == true)
        // A parent chain that loops ends; one inside the directory is fine.
        #expect(try descriptor(SimulatedHost.descriptor(extent: "winxp-s001.vmdk", parent: "winxp.vmdk")) == nil)
        // An extent the same name as a transferred file, but elsewhere, is the one VMware opens.
        try FileManager.default.createDirectory(atPath: host.job + "/sub", withIntermediateDirectories: true)
        #expect(try descriptor(SimulatedHost.descriptor(extent: "sub/../sub/nothere/winxp-s001.vmdk"))?.code == .badImage)
    }

    @Test func sparseDisksWithEmbeddedDescriptorsAreRead() throws {
        var bytes = [UInt8](SimulatedHost.sparseExtent)
        bytes[28] = 1  // descriptor at sector 1
        bytes[36] = 1  // one sector long
        var embedded = Array(SimulatedHost.descriptor(extent: "/etc/shadow", createType: "monolithicSparse").utf8)
        embedded += [UInt8](repeating: 0, count: 512 - embedded.count % 512)
        try Data(bytes + embedded.prefix(512)).write(to: URL(fileURLWithPath: host.job + "/winxp.vmdk"))
        #expect(refusal(try job())?.message.contains("/etc/shadow") == true)
        try Data("COWD".utf8 + [UInt8](repeating: 0, count: 600)).write(to: URL(fileURLWithPath: host.job + "/winxp.vmdk"))
        #expect(refusal(try job())?.message.contains("COWD") == true)
    }
}
