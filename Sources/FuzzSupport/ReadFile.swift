#if canImport(Glibc)
    import Glibc
#endif

/// A file's bytes, without Foundation (fuzz builds keep their dependencies small).
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { return bytes }
        bytes += buffer[0..<count]
    }
}
