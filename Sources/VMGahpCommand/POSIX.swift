#if canImport(Glibc)
    import Glibc
#endif

/// Reports a fatal start-up problem the way HTCondor's gahp does: a line on stderr (the
/// starter copies it into its log when it captures stderr), nothing on stdout, exit 1.
func fail(_ message: String) -> Never {
    writeStandardError("condor_vm-gahp: \(message)\n")
    exit(1)
}

func writeStandardError(_ text: String) {
    writeAll(STDERR_FILENO, text)
}

/// Writes every byte, retrying after signals; false when the peer is gone.
@discardableResult
func writeAll(_ fd: Int32, _ text: String) -> Bool {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if written < 0 {
            if errno == EINTR { continue }
            return false
        }
        bytes = bytes.dropFirst(written)
    }
    return true
}

/// Everything readable from a file (`-` for standard input), or nil when it cannot be opened.
func readAll(path: String) -> [UInt8]? {
    let fd = path == "-" ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { if fd != STDIN_FILENO { close(fd) } }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return count == 0 ? bytes : nil }
        bytes += buffer[0..<count]
    }
}
