/// VMDK. Only the single-file sparse form (`KDMV`: monolithicSparse, streamOptimized) is
/// accepted: a text descriptor exists to name extent files elsewhere, and the old `COWD`
/// form, like the sparse one, can name a parent. QEMU looks for the parent's name in the
/// descriptor at 0x200 whatever the header says, so that sector and the header's own
/// descriptor are both searched.
enum VMDKHeader {
    static let parentHint = [UInt8](ascii: "parentFileNameHint")
    static let sector: UInt64 = 512

    static func references(_ file: some ImageBytes) -> ImageRefusal? {
        let header = Fields(file.read(at: 0, count: 64))
        guard header.starts(with: [UInt8](ascii: "KDMV")) else {
            return header.starts(with: [UInt8](ascii: "COWD"))
                ? ImageRefusal("is a VMDK3 (COWD) image, a form the gahp does not accept")
                : ImageRefusal("is a VMDK descriptor, which names its data (extent) files elsewhere")
        }
        guard let descriptorSector = header.littleEndian(28, 8), let descriptorSectors = header.littleEndian(36, 8) else {
            return ImageRefusal("has a truncated VMDK header")
        }
        var regions: [(UInt64, Int)] = [(0x200, 2048)]
        if descriptorSector > 0 {
            guard descriptorSector < file.size / sector, descriptorSectors <= UInt64(ImageHeader.window) / sector else {
                return ImageRefusal("has a VMDK descriptor the gahp cannot read (out of the file or too large)")
            }
            regions.append((descriptorSector * sector, Int(descriptorSectors * sector)))
        }
        for (offset, count) in regions where contains(file.read(at: offset, count: count), parentHint) {
            return ImageRefusal("is a VMDK image naming a parent image")
        }
        return nil
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first, haystack[start..<start + needle.count].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}

/// VDI (VirtualBox): only normal (dynamic) and fixed images; undo and differencing images
/// have a parent.
enum VDIHeader {
    static func references(_ file: some ImageBytes) -> ImageRefusal? {
        guard let type = Fields(file.read(at: 0, count: 0x50)).littleEndian(0x4C, 4) else {
            return ImageRefusal("has a truncated VDI header")
        }
        return type == 1 || type == 2 ? nil : ImageRefusal("is a VDI image of type \(type), which has a parent (only normal and fixed images are accepted)")
    }
}

/// VPC / VHD: the footer (first sector, or last for a fixed disk) gives the disk type;
/// type 4, differencing, names a parent.
enum VPCHeader {
    static func references(_ file: some ImageBytes) -> ImageRefusal? {
        var footer = Fields(file.read(at: 0, count: 512))
        if !footer.starts(with: [UInt8](ascii: "conectix")), file.size >= 512 {
            footer = Fields(file.read(at: file.size - 512, count: 512))
        }
        guard let type = footer.bigEndian(60, 4) else { return ImageRefusal("has a truncated VHD footer") }
        return type == 2 || type == 3 ? nil : ImageRefusal("is a VHD image of disk type \(type) (only fixed and dynamic disks are accepted)")
    }
}
