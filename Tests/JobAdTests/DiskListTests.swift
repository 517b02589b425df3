import Testing
@testable import JobAd

@Suite struct DiskListTests {
    @Test func splitsTheCorpusForms() throws {
        #expect(try DiskList.split("disk.qcow2:vda:w:qcow2") == [DiskSpec(file: "disk.qcow2", device: "vda", writable: true, format: "qcow2")])
        #expect(try DiskList.split("root.qcow2:vda:w:qcow2,data.img:vdb:r:raw,boot.iso:hdc:r") == [
            DiskSpec(file: "root.qcow2", device: "vda", writable: true, format: "qcow2"),
            DiskSpec(file: "data.img", device: "vdb", writable: false, format: "raw"),
            DiskSpec(file: "boot.iso", device: "hdc", writable: false, format: nil),
        ])
    }

    @Test func spacesAroundSeparatorsAreAllowed() throws {
        #expect(try DiskList.split(" a.img : VDA : RW : QCOW2 ,  b.img:vdb:r ") == [
            DiskSpec(file: "a.img", device: "vda", writable: true, format: "qcow2"),
            DiskSpec(file: "b.img", device: "vdb", writable: false, format: nil),
        ])
    }

    @Test(arguments: [
        "", "disk.img", "disk.img:vda", "disk.img:vda:w:raw:extra", ":vda:w", "disk.img:vda:w,",
        ",disk.img:vda:w", "disk.img:vdq1:w", "disk.img:vda:x", "disk.img:vda:w:iso", "disk.img:vda:w:qcow2'",
        "a.img:vda:w,b.img:vda:r", "disk\0.img:vda:w", "disk.img:vda:w\n", "disk.img:v<da:w", "disk.img:vda:w:",
    ])
    func refusesMalformedLists(_ text: String) {
        #expect(throws: DiskListProblem.self) { try DiskList.split(text) }
    }

    @Test func refusesHugeLists() {
        let huge = String(repeating: "a", count: 1 << 20) + ":vda:w"
        #expect(throws: DiskListProblem.self) { try DiskList.split(huge) }
        let many = (0..<65).map { "d\($0).img:vd\(Character(UnicodeScalar(97 + $0 % 26)!))\(Character(UnicodeScalar(97 + $0 / 26)!)):r" }
        #expect(throws: DiskListProblem.self) { try DiskList.split(many.joined(separator: ",")) }
    }
}
