/// Rules for text that leaves the job ad: into a `JobDescription`, a log line or an error message.
///
/// Swift strings are always well-formed Unicode, so bytes that were not UTF-8 reach us as
/// U+FFFD; we refuse those too, because a path or name holding them cannot be the file or
/// the name the user meant, and a driver must be able to write every string verbatim.
enum TextRules {
    /// No C0/C1 control characters (NUL, newline, tab, ESC, DEL, ...) and no U+FFFD.
    static func isClean(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            let value = scalar.value
            return value >= 0x20 && !(0x7F...0x9F).contains(value) && value != 0xFFFD
        }
    }

    /// Clean, and without `<`, `>`, `&`, `'` and `"`. Required of every string a driver
    /// puts into domain XML or that `LIBVIRT_XML_SCRIPT` reads from the ad: HTCondor's
    /// generators (the built-in one and the stock awk script) escape nothing, and no
    /// real disk, kernel or device name needs these characters. Our own drivers escape
    /// anyway; this keeps an admin's script safe too.
    static func isMarkupSafe(_ text: String) -> Bool {
        isClean(text) && !text.utf8.contains { markup.contains($0) }
    }

    private static let markup: Set<UInt8> = [UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "\"")]

    /// The text as it may appear inside a message for the admin's log: control characters
    /// and U+FFFD written as `\u{..}`, and at most `limit` characters kept, so a hostile ad
    /// can neither forge log lines nor flood the log.
    static func quoted(_ text: String, limit: Int = 120) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > limit else { return "'" + escaped(text) + "'" }
        let head = String(String.UnicodeScalarView(scalars.prefix(limit)))
        return "'" + escaped(head) + "...' (\(text.utf8.count) bytes)"
    }

    /// The text with control characters and U+FFFD written as `\u{..}`, for a terminal.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0xFFFD {
                out += "\\u{\(String(value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Without the spaces around it, as HTCondor's `trim` leaves ad values (tabs and other
    /// white space are control characters, which the callers refuse anyway).
    static func trimmed(_ text: some StringProtocol) -> String {
        guard let first = text.firstIndex(where: { $0 != " " }),
              let last = text.lastIndex(where: { $0 != " " })
        else { return "" }
        return String(text[first...last])
    }
}
