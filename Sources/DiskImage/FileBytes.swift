#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// An image's bytes through a file descriptor the caller opened (and closes): `pread` only,
/// so nothing depends on or moves the descriptor's offset.
public struct FileBytes: ImageBytes {
    public let descriptor: Int32
    public let size: UInt64

    /// Nil unless `descriptor` is an open regular file.
    public init?(descriptor: Int32) {
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size >= 0 else { return nil }
        self.descriptor = descriptor
        self.size = UInt64(info.st_size)
    }

    public func read(at offset: UInt64, count: Int) -> [UInt8] {
        guard count > 0, offset < size, offset <= UInt64(Int64.max) else { return [] }
        let wanted = Int(min(UInt64(count), size - offset))
        var buffer = [UInt8](repeating: 0, count: wanted)
        var filled = 0
        while filled < wanted {
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + filled, wanted - filled, off_t(offset) + off_t(filled))
            }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 { break }
            filled += got
        }
        return Array(buffer.prefix(filled))
    }
}
