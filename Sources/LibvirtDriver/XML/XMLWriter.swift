/// A minimal XML tree that renders with every value escaped.
///
/// Domain XML is built from job-ad values that users control, so nothing is ever spliced
/// into markup as text: names, paths and MACs only enter through `attribute` and `text`,
/// which escape them.
struct XMLTag: Sendable, Equatable {
    var name: String
    var attributes: [(String, String)] = []
    var children: [XMLTag] = []
    var text: String?

    init(_ name: String, _ attributes: [(String, String)] = [], text: String? = nil, children: [XMLTag] = []) {
        self.name = name
        self.attributes = attributes
        self.text = text
        self.children = children
    }

    static func == (a: XMLTag, b: XMLTag) -> Bool {
        a.name == b.name && a.text == b.text && a.children == b.children
            && a.attributes.map(\.0) == b.attributes.map(\.0) && a.attributes.map(\.1) == b.attributes.map(\.1)
    }

    mutating func append(_ child: XMLTag) { children.append(child) }

    /// Pretty-printed, two spaces per level, one element per line.
    func rendered(level: Int = 0) -> String {
        let pad = String(repeating: "  ", count: level)
        var out = pad + "<" + name
        for (key, value) in attributes { out += " \(key)='\(XMLEscape.attribute(value))'" }
        if children.isEmpty, text == nil { return out + "/>\n" }
        out += ">"
        if let text { out += XMLEscape.text(text) }
        if !children.isEmpty {
            out += "\n" + children.map { $0.rendered(level: level + 1) }.joined() + pad
        }
        return out + "</\(name)>\n"
    }
}

enum XMLEscape {
    static func text(_ s: String) -> String { escape(s, quotes: false) }
    static func attribute(_ s: String) -> String { escape(s, quotes: true) }

    private static func escape(_ s: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "'" where quotes: out += "&apos;"
            case "\"" where quotes: out += "&quot;"
            case "\t", "\n", "\r":
                if quotes { out += "&#\(scalar.value);" } else { out.unicodeScalars.append(scalar) }
            default:
                // XML 1.0 cannot carry other control characters at all, not even as
                // references; job values never contain them (JobAd rejects them).
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
