/// Where an image's bytes come from: an open file (`FileBytes`) or memory (tests, fuzzing).
///
/// Every read names its offset and length and may come back short (a truncated or sparse
/// file reads as what is there), so the readers never trust a size the header claims.
public protocol ImageBytes {
    /// The file's size in bytes.
    var size: UInt64 { get }
    /// At most `count` bytes from `offset`; fewer (or none) past the end or on an error.
    func read(at offset: UInt64, count: Int) -> [UInt8]
}

/// Bytes held in memory; `claimedSize` larger than the bytes stands for a sparse or
/// truncated file (reads past the bytes come back empty).
public struct MemoryBytes: ImageBytes {
    public let bytes: [UInt8]
    public let size: UInt64
    public init(_ bytes: [UInt8], claimedSize: UInt64? = nil) {
        self.bytes = bytes
        self.size = max(claimedSize ?? 0, UInt64(bytes.count))
    }
    public func read(at offset: UInt64, count: Int) -> [UInt8] {
        guard offset < UInt64(bytes.count), count > 0 else { return [] }
        let start = Int(offset)
        return Array(bytes[start..<min(bytes.count, start + min(count, bytes.count - start))])
    }
}

/// Big- and little-endian fields of a header read into memory; a field past the end reads as nil.
struct Fields {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func has(_ offset: Int, _ count: Int) -> Bool { offset >= 0 && count >= 0 && offset <= bytes.count - count }

    func bytes(_ offset: Int, _ count: Int) -> ArraySlice<UInt8>? {
        has(offset, count) ? bytes[offset..<offset + count] : nil
    }

    func starts(with magic: [UInt8], at offset: Int = 0) -> Bool {
        bytes(offset, magic.count).map { $0.elementsEqual(magic) } ?? false
    }

    func bigEndian(_ offset: Int, _ width: Int) -> UInt64? {
        guard has(offset, width) else { return nil }
        var value: UInt64 = 0
        for index in offset..<offset + width { value = value << 8 | UInt64(bytes[index]) }
        return value
    }

    func littleEndian(_ offset: Int, _ width: Int) -> UInt64? {
        guard has(offset, width) else { return nil }
        var value: UInt64 = 0
        for index in (offset..<offset + width).reversed() { value = value << 8 | UInt64(bytes[index]) }
        return value
    }
}

extension Array where Element == UInt8 {
    init(ascii text: String) { self = Array(text.utf8) }
}
