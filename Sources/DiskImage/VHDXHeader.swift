/// VHDX: the region tables at 192 and 256 KiB locate the metadata region, whose table says
/// whether the image has a parent (the file parameters' HasParent flag, a parent locator).
/// Both region tables are read, since QEMU may use either; an image whose metadata cannot
/// be found is refused rather than guessed at.
enum VHDXHeader {
    static let regionTables: [UInt64] = [192 * 1024, 256 * 1024]
    static let maxEntries: UInt64 = 2047
    static let metadataRegion = guid("8B7CA206-4790-4B9A-B8FE-575F050F886E")
    static let fileParameters = guid("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
    static let parentLocator = guid("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")
    static let hasParentFlag: UInt64 = 1 << 1

    static func references(_ file: some ImageBytes) -> ImageRefusal? {
        var inspected = 0
        for table in regionTables {
            let regions = Fields(file.read(at: table, count: 16 + Int(maxEntries) * 32))
            guard regions.starts(with: [UInt8](ascii: "regi")), let count = regions.littleEndian(8, 4), count <= maxEntries else { continue }
            for index in 0..<Int(count) {
                let entry = 16 + index * 32
                guard let id = regions.bytes(entry, 16), id.elementsEqual(metadataRegion),
                      let offset = regions.littleEndian(entry + 16, 8)
                else { continue }
                if let problem = metadataProblem(file, at: offset) { return problem }
                inspected += 1
            }
        }
        return inspected > 0 ? nil : ImageRefusal("is a VHDX image whose metadata region the gahp cannot find")
    }

    private static func metadataProblem(_ file: some ImageBytes, at region: UInt64) -> ImageRefusal? {
        let table = Fields(file.read(at: region, count: 32 + Int(maxEntries) * 32))
        guard table.starts(with: [UInt8](ascii: "metadata")), let count = table.littleEndian(10, 2), UInt64(count) <= maxEntries else {
            return ImageRefusal("is a VHDX image with an unreadable metadata table")
        }
        var sawParameters = false
        for index in 0..<Int(count) {
            let entry = 32 + index * 32
            guard let id = table.bytes(entry, 16), let offset = table.littleEndian(entry + 16, 4) else {
                return ImageRefusal("is a VHDX image with a truncated metadata table")
            }
            if id.elementsEqual(parentLocator) { return ImageRefusal("is a VHDX image with a parent locator") }
            guard id.elementsEqual(fileParameters) else { continue }
            let (at, overflow) = region.addingReportingOverflow(offset)
            guard !overflow, let flags = Fields(file.read(at: at, count: 8)).littleEndian(4, 4) else {
                return ImageRefusal("is a VHDX image with truncated file parameters")
            }
            if flags & hasParentFlag != 0 { return ImageRefusal("is a differencing VHDX image (it has a parent)") }
            sawParameters = true
        }
        return sawParameters ? nil : ImageRefusal("is a VHDX image without file parameters")
    }

    /// A GUID as VHDX stores it: the first three groups little-endian, the rest as written.
    static func guid(_ text: String) -> [UInt8] {
        let groups = text.split(separator: "-").map { group in
            stride(from: 0, to: group.count, by: 2).map { i -> UInt8 in
                let start = group.index(group.startIndex, offsetBy: i)
                return UInt8(group[start..<group.index(start, offsetBy: 2)], radix: 16)!
            }
        }
        return groups[0].reversed() + groups[1].reversed() + groups[2].reversed() + groups[3] + groups[4]
    }
}
