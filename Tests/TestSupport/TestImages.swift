import Foundation

/// Disk images for tests: a minimal clean qcow2 header written by hand, and `qemu-img`
/// (installed by scripts/install-deps.sh) to make real and hostile images. The gahp itself
/// never runs qemu-img; only tests do, to build the corpus its header reader must refuse.
public enum TestImages {
    /// The first 112 bytes of a clean qcow2 version 3 image: 1 MiB, 64 KiB clusters, no
    /// backing file, no header extensions.
    public static let qcow2Header: [UInt8] = {
        var header = [UInt8](repeating: 0, count: 112)
        func put(_ value: UInt64, at offset: Int, width: Int) {
            for i in 0..<width { header[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(width - 1 - i))) }
        }
        header[0..<4] = [0x51, 0x46, 0x49, 0xFB]
        put(3, at: 4, width: 4)
        put(16, at: 20, width: 4)
        put(1 << 20, at: 24, width: 8)
        put(4, at: 96, width: 4)
        put(104, at: 100, width: 4)
        return header
    }()

    /// Writes `qcow2Header` to `path`.
    public static func writeQcow2(_ path: String) throws {
        try Data(qcow2Header).write(to: URL(fileURLWithPath: path))
    }

    public static let qemuImgPath = "/usr/bin/qemu-img"

    /// Why `qemu-img` tests cannot run here, or nil.
    public static var qemuImgMissing: String? {
        FileManager.default.isExecutableFile(atPath: qemuImgPath) ? nil : "\(qemuImgPath) is not installed: run scripts/install-deps.sh"
    }

    /// Runs `qemu-img` with `arguments` (never through a shell); throws its output on failure.
    public static func qemuImg(_ arguments: [String]) throws {
        try Tools.run(qemuImgPath, arguments)
    }

    /// The hostile corpus every layer must refuse: file name (in `directory`), the format the
    /// job declares, and what the refusal must mention. `secret` is a host file the images
    /// point at; the caller checks it is untouched.
    public static func makeHostileCorpus(in directory: String, secret: String) throws -> [(file: String, declared: String?, reason: String)] {
        func path(_ name: String) -> String { directory + "/" + name }
        let cases: [(String, String?, String, [String])] = [
            ("backing-absolute.qcow2", "qcow2", "backing file", ["create", "-f", "qcow2", "-u", "-F", "raw", "-b", secret]),
            ("backing-relative.qcow2", "qcow2", "backing file", ["create", "-f", "qcow2", "-u", "-F", "raw", "-b", "../../secret"]),
            ("backing-json.qcow2", "qcow2", "backing file",
             ["create", "-f", "qcow2", "-u", "-F", "raw", "-b", "json:{\"driver\":\"file\",\"filename\":\"\(secret)\"}"]),
            ("backing-nbd.qcow2", "qcow2", "backing file", ["create", "-f", "qcow2", "-u", "-F", "raw", "-b", "nbd://127.0.0.1:10809/x"]),
            ("backing-http.qcow2", "qcow2", "backing file", ["create", "-f", "qcow2", "-u", "-F", "raw", "-b", "http://127.0.0.1/x.img"]),
            ("backing-v2.qcow2", "qcow2", "backing file", ["create", "-f", "qcow2", "-o", "compat=0.10", "-u", "-F", "raw", "-b", secret]),
            ("data-file.qcow2", "qcow2", "external data file", ["create", "-f", "qcow2", "-o", "data_file=\(path("data-file.raw"))"]),
            ("backing.qed", "qed", "backing file", ["create", "-f", "qed", "-u", "-F", "raw", "-b", secret]),
            ("flat.vmdk", "vmdk", "descriptor", ["create", "-f", "vmdk", "-o", "subformat=monolithicFlat"]),
            ("split.vmdk", "vmdk", "descriptor", ["create", "-f", "vmdk", "-o", "subformat=twoGbMaxExtentSparse"]),
            ("child.vmdk", "vmdk", "parent", ["create", "-f", "vmdk", "-u", "-F", "vmdk", "-b", path("clean.vmdk")]),
            ("qcow2-declared-raw.img", "raw", "qcow2 image", ["create", "-f", "qcow2"]),
            ("qcow2-undeclared.img", nil, "qcow2 image", ["create", "-f", "qcow2"]),
            ("raw-declared-qcow2.qcow2", "qcow2", "raw file", ["create", "-f", "raw"]),
            ("vdi-declared-qcow2.vdi", "qcow2", "vdi image", ["create", "-f", "vdi"]),
        ]
        try qemuImg(["create", "-f", "vmdk", path("clean.vmdk"), "1M"])
        var corpus: [(String, String?, String)] = []
        for (name, declared, reason, arguments) in cases {
            try qemuImg(arguments + [path(name), "1M"])
            corpus.append((name, declared, reason))
        }
        // By hand: a truncated header, absurd sizes, a descriptor naming a host file as its extent.
        let qcow2 = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path("qcow2-undeclared.img"))).prefix(64 * 1024))
        try Data(qcow2.prefix(48)).write(to: URL(fileURLWithPath: path("truncated.qcow2")))
        corpus.append(("truncated.qcow2", "qcow2", "truncated"))
        var absurd = qcow2Header
        absurd[20..<24] = [0, 0, 0, 63]
        try Data(absurd).write(to: URL(fileURLWithPath: path("absurd-cluster.qcow2")))
        corpus.append(("absurd-cluster.qcow2", "qcow2", "cluster size"))
        var longHeader = qcow2Header
        longHeader[100..<104] = [0xFF, 0xFF, 0xFF, 0xF8]
        try Data(longHeader).write(to: URL(fileURLWithPath: path("absurd-header.qcow2")))
        corpus.append(("absurd-header.qcow2", "qcow2", "header extensions"))
        let descriptor = """
            # Disk DescriptorFile
            version=1
            CID=fffffffe
            parentCID=ffffffff
            createType="monolithicFlat"
            RW 2048 FLAT "\(secret)" 0
            """
        try Data(descriptor.utf8).write(to: URL(fileURLWithPath: path("extent-elsewhere.vmdk")))
        corpus.append(("extent-elsewhere.vmdk", "vmdk", "descriptor"))
        return corpus
    }
}
