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
