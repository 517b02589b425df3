/// Image formats QEMU could open a file as, named as libvirt and QEMU name them.
public enum ImageFormat: String, Sendable, CaseIterable {
    case raw, qcow2, qed, vmdk, vdi, vpc, vhdx
    /// Formats a job may not declare, recognised so that a file in one of them is not taken
    /// for raw.
    case qcow, luks, parallels, bochs, cloop, dmg
}

/// Why an image may not be handed to QEMU, in words for the admin's log.
public struct ImageRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads an image's header ourselves, so that a hostile image cannot make QEMU, running as
/// root, open another file on the host.
///
/// Bounded: the headers read are a few KiB (at most `window` bytes at a time, a fixed
/// number of reads), whatever sizes and offsets the file claims. No external tool and no
/// image library looks at the file: `qemu-img info` would itself open the backing file.
public enum ImageHeader {
    /// The most bytes read at once.
    static let window = 64 * 1024

    /// Magic numbers at the start of the file (offset 0x40 for VDI), qcow's apart.
    static let magics: [(ImageFormat, [UInt8], Int)] = [
        (.qed, [0x51, 0x45, 0x44, 0x00], 0),
        (.vmdk, [UInt8](ascii: "KDMV"), 0),
        (.vmdk, [UInt8](ascii: "COWD"), 0),
        (.vmdk, [UInt8](ascii: "# Disk DescriptorFile"), 0),
        (.vdi, [0x7F, 0x10, 0xDA, 0xBE], 0x40),
        (.vpc, [UInt8](ascii: "conectix"), 0),
        (.vhdx, [UInt8](ascii: "vhdxfile"), 0),
        (.luks, [UInt8](ascii: "LUKS") + [0xBA, 0xBE], 0),
        (.parallels, [UInt8](ascii: "WithoutFreeSpace"), 0),
        (.parallels, [UInt8](ascii: "WithouFreSpacExt"), 0),
        (.bochs, [UInt8](ascii: "Bochs Virtual HD Image"), 0),
        (.cloop, [UInt8](ascii: "#!/bin/sh\n#V2.0 Format\n"), 0),
    ]

    /// The format the file's magic says, `raw` when it has none.
    public static func format(of file: some ImageBytes) -> ImageFormat {
        let head = Fields(file.read(at: 0, count: 512))
        if head.starts(with: QcowHeader.magic) {
            return head.bigEndian(4, 4) == 1 ? .qcow : .qcow2
        }
        if let (format, _, _) = magics.first(where: { head.starts(with: $0.1, at: $0.2) }) { return format }
        if file.size >= 512 {
            // A fixed VHD and a DMG keep their header in the last sector.
            let tail = Fields(file.read(at: file.size - 512, count: 512))
            if tail.starts(with: [UInt8](ascii: "conectix")) { return .vpc }
            if tail.starts(with: [UInt8](ascii: "koly")) { return .dmg }
        }
        return .raw
    }

    /// Checks a file against the format the job declares (`nil`: none, which means raw):
    /// the file's real format must be that one, and it must refer to no other file (a
    /// backing file, an external data file, extents elsewhere). Returns the format to give
    /// QEMU explicitly.
    public static func check(_ file: some ImageBytes, declared: String?) -> Result<ImageFormat, ImageRefusal> {
        let found = format(of: file)
        let wanted = declared?.lowercased() ?? ImageFormat.raw.rawValue
        guard found.rawValue == wanted else {
            let said = declared.map { "declared \($0)" } ?? "declared with no format (so raw)"
            return .failure(ImageRefusal("is \(found == .raw ? "a raw file" : "a \(found.rawValue) image") but \(said)"))
        }
        let problem: ImageRefusal?
        switch found {
        case .qcow2: problem = QcowHeader.references(file)
        case .qed: problem = QEDHeader.references(file)
        case .vmdk: problem = VMDKHeader.references(file)
        case .vdi: problem = VDIHeader.references(file)
        case .vpc: problem = VPCHeader.references(file)
        case .vhdx: problem = VHDXHeader.references(file)
        case .raw: problem = nil
        case .qcow, .luks, .parallels, .bochs, .cloop, .dmg:
            problem = ImageRefusal("is a \(found.rawValue) image, a format the gahp does not accept")
        }
        return problem.map { .failure($0) } ?? .success(found)
    }
}
