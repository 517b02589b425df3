/// Tokenising and escaping of GAHP command lines.
///
/// Input (`parse_vmgahp_command`): every unescaped space or tab separates two arguments, so
/// doubled blanks yield an empty argument, which HTCondor's clients never send and which
/// then fails the arity check. A backslash makes the next character literal and is removed.
/// Unlike HTCondor we keep an escaped last character instead of dropping it.
///
/// Output (`makeErrorMessage`, `escapeGahpString`): a backslash goes before space, tab,
/// backslash, CR and LF, which is what the starter's `read_argv` undoes.
public enum GAHPArguments {
    public static func split(_ line: [UInt8]) -> [String] {
        var arguments: [String] = []
        var current: [UInt8] = []
        var escaped = false
        for byte in line {
            if escaped {
                current.append(byte)
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") {
                arguments.append(String(decoding: current, as: UTF8.self))
                current = []
            } else {
                current.append(byte)
            }
        }
        arguments.append(String(decoding: current, as: UTF8.self))
        return arguments
    }

    public static func split(_ line: String) -> [String] { split(Array(line.utf8)) }

    /// Escapes one field so that the starter reads it back as a single argument.
    public static func escape(_ field: String) -> String {
        var out = ""
        out.reserveCapacity(field.utf8.count)
        for scalar in field.unicodeScalars {
            switch scalar {
            case " ", "\t", "\\", "\r", "\n": out.append("\\")
            default: break
            }
            out.unicodeScalars.append(scalar)
        }
        return out
    }

    /// Escapes a field and cuts it so that its escaped form fits in `maxBytes` of UTF-8,
    /// never splitting an escape pair or a character. A cut field ends in `...`.
    public static func escape(_ field: String, maxBytes: Int) -> String {
        let full = escape(field)
        if full.utf8.count <= maxBytes { return full }
        let marker = "..."
        let budget = max(0, maxBytes - marker.utf8.count)
        var out = ""
        var used = 0
        for scalar in field.unicodeScalars {
            var piece = ""
            switch scalar {
            case " ", "\t", "\\", "\r", "\n": piece.append("\\")
            default: break
            }
            piece.unicodeScalars.append(scalar)
            let size = piece.utf8.count
            if used + size > budget { break }
            out += piece
            used += size
        }
        return out + marker
    }

    /// Whether an argument is a positive decimal number of at most `maximum`, as request and
    /// vm ids must be; returns the number.
    public static func positiveDecimal(_ argument: String, maximum: Int = .max) -> Int? {
        guard !argument.isEmpty, argument.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            let value = Int(argument), value > 0, value <= maximum
        else { return nil }
        return value
    }

    /// The largest request id (spec §4.9.4): HTCondor's gahp keeps request ids in a C `int`
    /// and refuses larger ones, so a drop-in does the same.
    public static let maximumRequestID = Int(Int32.max)
}
