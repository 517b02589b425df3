#if canImport(Glibc)
    import Glibc
#endif

#if !FUZZING
    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    /// The bytes of a file, without Foundation (the fuzz build keeps its dependencies small).
    func readFile(_ path: String) throws -> [UInt8] {
        guard let file = fopen(path, "rb") else { throw ReadError(description: "cannot open \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer[0..<count]
        }
        return bytes
    }
#endif
