import VMCore

/// One `key = "value"` line of a VMware configuration (.vmx) file.
struct VMXEntry: Sendable, Equatable {
    var key: String
    var value: String

    /// Lower case: VMware's keys are case-insensitive.
    var folded: String { key.lowercased() }

    /// The device (`scsi0:0`, `ide1:0`, `floppy0`) a key belongs to, or the key's first part.
    var group: String { String(folded.split(separator: ".", maxSplits: 1).first ?? "") }

    /// The part after the group (`filename` for `scsi0:0.fileName`).
    var subkey: String { folded.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init) ?? "" }

    var line: String { "\(key) = \"\(value)\"" }
}

/// Reading and checking .vmx text: the job's own, and the admin's local settings.
enum VMXFile {
    /// A .vmx is a few kilobytes; anything this large is not one.
    static let maxSize = 1 << 20

    /// The entries of a .vmx, in order; a later entry with the same key replaces an earlier
    /// one, as in VMware. Blank lines and `#` comments are skipped; any other line that is
    /// not `key = "value"` (or `key = value`) is refused, naming its line number.
    static func parse(_ text: String) -> Result<[VMXEntry], ParseProblem> {
        var entries: [VMXEntry] = []
        var index: [String: Int] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw).trimmingBlanks
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else { return .failure(ParseProblem(line: number + 1, reason: "has no =")) }
            let key = String(line[..<equals]).trimmingBlanks
            var value = String(line[line.index(after: equals)...]).trimmingBlanks
            guard isKey(key) else { return .failure(ParseProblem(line: number + 1, reason: "has a key that is not letters, digits and . : _ -")) }
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else { return .failure(ParseProblem(line: number + 1, reason: "has an unterminated value")) }
                value = String(value.dropFirst().dropLast())
            }
            guard isValue(value) else {
                return .failure(ParseProblem(line: number + 1, reason: "has a value with a quote or a control character"))
            }
            let entry = VMXEntry(key: key, value: value)
            if let at = index[entry.folded] { entries[at] = entry } else {
                index[entry.folded] = entries.count
                entries.append(entry)
            }
        }
        return .success(entries)
    }

    struct ParseProblem: Error, Equatable {
        var line: Int
        var reason: String
        var message: String { "line \(line) \(reason)" }
    }

    static func isKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= 128 && key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x3A || byte == 0x5F || byte == 0x2D
        }
    }

    /// No quote (it would end the value), no control character (a newline would add a
    /// line), valid text, and bounded.
    static func isValue(_ value: String) -> Bool {
        value.utf8.count <= 4096 && value.unicodeScalars.allSatisfy { $0 != "\"" && $0.value >= 0x20 && $0.value != 0x7F }
    }
}
