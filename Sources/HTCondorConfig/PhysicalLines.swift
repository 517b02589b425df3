import FoundationEssentials

/// The lines of one configuration file, joined into logical lines where a line ends in `\`.
struct PhysicalLines {
    private let lines: [Substring]
    private var next = 0

    init(_ text: String) {
        // `\r\n` is one Character, so split on newline characters rather than on "\n".
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    }

    /// The next logical line and the 1-based number of its first physical line. A trailing
    /// backslash joins the following line without its leading white space, as HTCondor 25.14
    /// does. A comment line inside a continuation contributes only its last character, which is
    /// what HTCondor 25.14 reads (so `\\` at its end continues further): odd, but the starter and
    /// the startd read the file that way, and the gahp must agree with them.
    mutating func nextLogical() -> (number: Int, line: String)? {
        guard next < lines.count else { return nil }
        let number = next + 1
        var line = String(lines[next])
        next += 1
        while let stripped = Self.droppingContinuation(line) {
            line = stripped
            guard next < lines.count else { break }
            let following = lines[next].drop(while: \.isWhitespace)
            next += 1
            if following.hasPrefix("#") {
                if let last = following.last(where: { !$0.isWhitespace }) { line.append(last) }
            } else {
                line += following
            }
        }
        return (number, line)
    }

    /// Physical lines up to (not including) the first whose trimmed text is `terminator`, joined
    /// with newlines; the terminator is consumed. Nil if the file ends first.
    mutating func collect(until terminator: String) -> String? {
        var body: [Substring] = []
        while next < lines.count {
            let line = lines[next]
            next += 1
            if line.trimmed == terminator { return body.joined(separator: "\n") }
            body.append(line)
        }
        return nil
    }

    private static func droppingContinuation(_ line: String) -> String? {
        guard let last = line.lastIndex(where: { $0 != " " && $0 != "\t" }), line[last] == "\\" else { return nil }
        return String(line[..<last])
    }
}
