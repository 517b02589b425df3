/// A JSON value and its one-line encoding, written by hand so the output is valid JSON
/// for any input: strings escape quotes, backslashes and every control character, and
/// non-finite numbers (which JSON lacks) become strings.
public indirect enum JSONText: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONText])
    /// Keys in the order given, so output is stable and readable.
    case object([(String, JSONText)])

    public var encoded: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .int(let value): String(value)
        case .double(let value): value.isFinite ? String(value) : Self.quote(String(value))
        case .string(let value): Self.quote(value)
        case .array(let values): "[" + values.map(\.encoded).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { Self.quote($0.0) + ":" + $0.1.encoded }.joined(separator: ",") + "}"
        }
    }

    /// Swift strings are valid Unicode (invalid UTF-8 was already replaced by U+FFFD when
    /// the text was decoded), so escaping is all JSON needs.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
