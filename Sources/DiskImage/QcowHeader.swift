/// qcow2 (QEMU's `docs/interop/qcow2.txt`): a big-endian header, then header extensions up
/// to the end of the first cluster.
enum QcowHeader {
    static let magic: [UInt8] = [0x51, 0x46, 0x49, 0xFB]
    /// Incompatible feature bit 2: the guest data lives in an external file.
    static let externalDataBit: UInt64 = 1 << 2
    /// The incompatible features QEMU knows (dirty, corrupt, external data, compression
    /// type, extended L2); any other bit makes QEMU refuse the image, so we do too.
    static let knownIncompatible: UInt64 = 0b11111
    static let endOfExtensions: UInt64 = 0
    static let externalDataFileName: UInt64 = 0x4441_5441

    static func references(_ file: some ImageBytes) -> ImageRefusal? {
        let header = Fields(file.read(at: 0, count: ImageHeader.window))
        guard let version = header.bigEndian(4, 4), version == 2 || version == 3 else {
            return ImageRefusal("is a qcow2 image of an unknown version")
        }
        guard let backingOffset = header.bigEndian(8, 8), let backingSize = header.bigEndian(16, 4),
              let clusterBits = header.bigEndian(20, 4)
        else { return ImageRefusal("has a truncated qcow2 header") }
        if backingOffset != 0 || backingSize != 0 {
            return ImageRefusal("is a qcow2 image with a backing file")
        }
        guard (9...21).contains(clusterBits) else { return ImageRefusal("has a qcow2 cluster size out of range") }
        var headerLength: UInt64 = 72
        if version == 3 {
            guard let incompatible = header.bigEndian(72, 8), let length = header.bigEndian(100, 4) else {
                return ImageRefusal("has a truncated qcow2 version 3 header")
            }
            if incompatible & externalDataBit != 0 { return ImageRefusal("is a qcow2 image with an external data file") }
            if incompatible & ~knownIncompatible != 0 { return ImageRefusal("is a qcow2 image with unknown incompatible features") }
            guard length >= 104, length % 8 == 0 else { return ImageRefusal("has a qcow2 header length out of range") }
            headerLength = length
        }
        return extensionProblem(header, from: headerLength, clusterSize: UInt64(1) << clusterBits)
    }

    /// Walks the header extensions (type, length, data padded to 8 bytes) to the end mark.
    /// An extension naming another file is refused, and so is a list that runs past what was
    /// read: what cannot be inspected is not used.
    private static func extensionProblem(_ header: Fields, from start: UInt64, clusterSize: UInt64) -> ImageRefusal? {
        var offset = start
        let limit = min(clusterSize, UInt64(header.bytes.count))
        while true {
            guard offset + 8 <= limit, let type = header.bigEndian(Int(offset), 4), let length = header.bigEndian(Int(offset) + 4, 4) else {
                return ImageRefusal("has qcow2 header extensions the gahp cannot read to their end")
            }
            if type == endOfExtensions { return nil }
            if type == externalDataFileName { return ImageRefusal("is a qcow2 image naming an external data file") }
            offset += 8 + (length + 7) / 8 * 8
        }
    }
}

/// QED (QEMU's enhanced disk): a little-endian header whose feature bit 0 says a backing file follows.
enum QEDHeader {
    static let backingFileBit: UInt64 = 1
    /// Backing file, needs-check, backing format "no probe": anything else QEMU refuses.
    static let knownFeatures: UInt64 = 0b111

    static func references(_ file: some ImageBytes) -> ImageRefusal? {
        let header = Fields(file.read(at: 0, count: 64))
        guard let features = header.littleEndian(16, 8), let backingOffset = header.littleEndian(56, 4),
              let backingSize = header.littleEndian(60, 4)
        else { return ImageRefusal("has a truncated QED header") }
        if features & backingFileBit != 0 || backingOffset != 0 || backingSize != 0 {
            return ImageRefusal("is a QED image with a backing file")
        }
        if features & ~knownFeatures != 0 { return ImageRefusal("is a QED image with unknown features") }
        return nil
    }
}
