/// The raw-byte notation of transcripts: `\\`, `\n`, `\r`, `\t`, `\0`, `\'`, `\xHH`.
/// Everything else is taken as its UTF-8 bytes, so a case can send CR, NUL or invalid
/// UTF-8 that no plain text line could carry.
public enum ByteEscapes {
    public static func decode(_ text: String) throws(TranscriptError) -> [UInt8] {
        var out: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard let code = bytes.popFirst() else {
                throw TranscriptError(line: 0, message: "escape at end of `\(text)`")
            }
            switch code {
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "'"): out.append(UInt8(ascii: "'"))
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "0"): out.append(0x00)
            case UInt8(ascii: "x"):
                guard let high = bytes.popFirst(), let low = bytes.popFirst(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else {
                    throw TranscriptError(line: 0, message: "bad \\x escape in `\(text)`")
                }
                out.append(value)
            default:
                throw TranscriptError(line: 0, message: "unknown escape \\\(Character(UnicodeScalar(code))) in `\(text)`")
            }
        }
        return out
    }
}
