import DiskImage
import Foundation
import TestSupport
import Testing

/// The header reader on real images made by qemu-img, on a hostile corpus, and on hand-made
/// and cut-short headers.
@Suite struct ImageHeaderTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory(prefix: "image-header") }

    /// Opens `name` as the gahp does and checks it.
    func check(_ name: String, declared: String?) throws -> Result<ImageFormat, ImageRefusal> {
        let fd = open(directory.path + "/" + name, O_RDONLY | O_NOFOLLOW)
        guard fd >= 0 else { throw Tools.Failure(description: "cannot open \(name)") }
        defer { close(fd) }
        let bytes = try #require(FileBytes(descriptor: fd))
        return ImageHeader.check(CountingBytes(bytes), declared: declared)
    }

    @Test func cleanImagesOfEveryFormatAreAcceptedAsWhatTheyAre() throws {
        if let reason = TestImages.qemuImgMissing { Issue.record(Comment(rawValue: reason)); return }
        let images: [(String, String, [String])] = [
            ("v3.qcow2", "qcow2", ["-f", "qcow2"]), ("v2.qcow2", "qcow2", ["-f", "qcow2", "-o", "compat=0.10"]),
            ("a.qed", "qed", ["-f", "qed"]), ("a.vmdk", "vmdk", ["-f", "vmdk"]),
            ("stream.vmdk", "vmdk", ["-f", "vmdk", "-o", "subformat=streamOptimized"]),
            ("a.vdi", "vdi", ["-f", "vdi"]), ("dynamic.vhd", "vpc", ["-f", "vpc"]),
            ("fixed.vhd", "vpc", ["-f", "vpc", "-o", "subformat=fixed"]), ("a.vhdx", "vhdx", ["-f", "vhdx"]),
            ("a.img", "raw", ["-f", "raw"]),
        ]
        for (name, format, options) in images {
            try TestImages.qemuImg(["create"] + options + [directory.path + "/" + name, "4M"])
            #expect(try check(name, declared: format) == .success(ImageFormat(rawValue: format)!), "\(name)")
        }
        #expect(try check("a.img", declared: nil) == .success(.raw), "no format declared: raw")
    }

    @Test func theHostileCorpusIsRefusedForItsReason() throws {
        if let reason = TestImages.qemuImgMissing { Issue.record(Comment(rawValue: reason)); return }
        let secret = try directory.write("secret", "host secret\n")
        let corpus = try TestImages.makeHostileCorpus(in: directory.path, secret: secret)
        #expect(corpus.count >= 19)
        for (name, declared, reason) in corpus {
            let outcome = try check(name, declared: declared)
            guard case .failure(let refusal) = outcome else {
                Issue.record("\(name) declared \(declared ?? "none") was accepted")
                continue
            }
            #expect(refusal.message.contains(reason), "\(name): \(refusal.message)")
        }
    }

    @Test func aSparseTerabyteRawFileIsReadInAFewKiB() throws {
        let path = directory.path + "/sparse.img"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 1 << 40) == 0)
        #expect(try check("sparse.img", declared: "raw") == .success(.raw))
    }

    @Test func aHandMadeDifferencingVHDXIsRefused() {
        #expect(ImageHeader.check(MemoryBytes.vhdx(parentFlag: false, locator: false), declared: "vhdx") == .success(.vhdx))
        let child = ImageHeader.check(MemoryBytes.vhdx(parentFlag: true, locator: false), declared: "vhdx")
        #expect(child == .failure(ImageRefusal("is a differencing VHDX image (it has a parent)")))
        let located = ImageHeader.check(MemoryBytes.vhdx(parentFlag: false, locator: true), declared: "vhdx")
        #expect(located == .failure(ImageRefusal("is a VHDX image with a parent locator")))
        let bare = ImageHeader.check(MemoryBytes(Array("vhdxfile".utf8)), declared: "vhdx")
        #expect(bare == .failure(ImageRefusal("is a VHDX image whose metadata region the gahp cannot find")))
    }

    @Test func differencingVDIAndVHDAreRefused() {
        var vdi = [UInt8](repeating: 0, count: 512)
        vdi[0x40..<0x44] = [0x7F, 0x10, 0xDA, 0xBE]
        vdi[0x4C] = 4
        #expect(ImageHeader.check(MemoryBytes(vdi), declared: "vdi").isRefused)
        var vhd = [UInt8](repeating: 0, count: 512)
        vhd[0..<8] = ArraySlice("conectix".utf8)
        vhd[63] = 4
        #expect(ImageHeader.check(MemoryBytes(vhd), declared: "vpc").isRefused)
    }

    /// Every prefix of real headers, as a short file and as a sparse one claiming a terabyte:
    /// never a crash, never more than a bounded number of bytes read.
    @Test func cutShortHeadersAreHandledAndReadsStayBounded() throws {
        if let reason = TestImages.qemuImgMissing { Issue.record(Comment(rawValue: reason)); return }
        var samples: [[UInt8]] = [TestImages.qcow2Header, MemoryBytes.vhdx(parentFlag: true, locator: false).bytes]
        for (name, format) in [("c.qcow2", "qcow2"), ("c.qed", "qed"), ("c.vmdk", "vmdk"), ("c.vdi", "vdi"), ("c.vhd", "vpc")] {
            let path = directory.path + "/" + name
            try TestImages.qemuImg(["create", "-f", format, path, "1M"])
            samples.append(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)).prefix(8192)))
        }
        for sample in samples {
            for length in [0, 1, 3, 4, 7, 8, 16, 20, 24, 48, 64, 71, 72, 100, 104, 111, 512, 1024, sample.count] where length <= sample.count {
                for claimed in [UInt64(length), 1 << 40] {
                    let file = CountingBytes(MemoryBytes(Array(sample.prefix(length)), claimedSize: claimed))
                    for declared in [nil] + ImageFormat.allCases.map(\.rawValue) { _ = ImageHeader.check(file, declared: declared) }
                    #expect(file.log.reads <= 16 * (ImageFormat.allCases.count + 1))
                    #expect(file.log.largest <= 70 * 1024)
                }
            }
        }
    }
}

/// Records how much the reader asks for.
final class ReadLog: @unchecked Sendable {
    var reads = 0
    var largest = 0
}

struct CountingBytes<Base: ImageBytes>: ImageBytes {
    let base: Base
    let log = ReadLog()
    init(_ base: Base) { self.base = base }
    var size: UInt64 { base.size }
    func read(at offset: UInt64, count: Int) -> [UInt8] {
        log.reads += 1
        log.largest = max(log.largest, count)
        return base.read(at: offset, count: count)
    }
}

extension Result where Success == ImageFormat, Failure == ImageRefusal {
    var isRefused: Bool { if case .failure = self { true } else { false } }
}

extension MemoryBytes {
    /// A minimal VHDX: identifier, a region table at 192 KiB naming the metadata region at
    /// 1 MiB, whose table lists the file parameters (HasParent as asked) and, if asked, a
    /// parent locator.
    static func vhdx(parentFlag: Bool, locator: Bool) -> MemoryBytes {
        var bytes = [UInt8](repeating: 0, count: 1024 * 1024 + 128 * 1024)
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
        }
        bytes[0..<8] = ArraySlice("vhdxfile".utf8)
        let table = 192 * 1024, metadata = 1024 * 1024
        bytes[table..<table + 4] = ArraySlice("regi".utf8)
        put(1, at: table + 8, width: 4)
        bytes[table + 16..<table + 32] = ArraySlice(guid("8B7CA206-4790-4B9A-B8FE-575F050F886E"))
        put(UInt64(metadata), at: table + 32, width: 8)
        bytes[metadata..<metadata + 8] = ArraySlice("metadata".utf8)
        put(locator ? 2 : 1, at: metadata + 10, width: 2)
        bytes[metadata + 32..<metadata + 48] = ArraySlice(guid("CAA16737-FA36-4D43-B3B6-33F0AA44E76B"))
        put(64 * 1024, at: metadata + 48, width: 4)
        put(parentFlag ? 2 : 0, at: metadata + 64 * 1024 + 4, width: 4)
        if locator {
            bytes[metadata + 64..<metadata + 80] = ArraySlice(guid("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C"))
        }
        return MemoryBytes(bytes)
    }

    /// A GUID as VHDX stores it (the first three groups little-endian).
    static func guid(_ text: String) -> [UInt8] {
        let hex = text.split(separator: "-").map { group in
            stride(from: 0, to: group.count, by: 2).map { UInt8(group.dropFirst($0).prefix(2), radix: 16)! }
        }
        return hex[0].reversed() + hex[1].reversed() + hex[2].reversed() + hex[3] + hex[4]
    }
}
