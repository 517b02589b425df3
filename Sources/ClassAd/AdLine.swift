/// Reads one `Name = expression` line the way HTCondor's old-syntax reader does: split at
/// the first `=`, trailing blanks off the name, leading blanks off the expression.
///
/// We are stricter than HTCondor in two places, both on input no real starter sends: the
/// name must be a plain identifier (HTCondor accepts anything but a leading `'`), and a
/// line holding a NUL byte is refused (HTCondor silently cuts the line there, which would
/// let text hide behind it).
enum AdLine {
    static func parse(_ line: [UInt8]) throws(SyntaxError) -> (name: String, expression: Expression) {
        guard let equals = line.firstIndex(of: UInt8(ascii: "=")) else {
            throw SyntaxError(message: "missing '=' between name and value")
        }
        var nameBytes = line[..<equals]
        while let first = nameBytes.first, Lexer.isSpace(first) { nameBytes = nameBytes.dropFirst() }
        while let last = nameBytes.last, last == 0x20 || last == 0x09 { nameBytes = nameBytes.dropLast() }
        guard !nameBytes.isEmpty else { throw SyntaxError(message: "missing attribute name") }
        guard let head = nameBytes.first, Lexer.isIdentifierHead(head),
            nameBytes.allSatisfy({ Lexer.isIdentifierHead($0) || Lexer.isDigit($0) })
        else {
            throw SyntaxError(message: "attribute name is not an identifier")
        }
        let expression = try parseExpression(Array(line[(equals + 1)...]))
        return (String(decoding: nameBytes, as: UTF8.self), expression)
    }

    /// One expression. A final line break (the starter ends lines with CRLF) is not part
    /// of it: it would otherwise change how a closing `\"` is read.
    static func parseExpression(_ bytes: [UInt8]) throws(SyntaxError) -> Expression {
        guard !bytes.contains(0) else { throw SyntaxError(message: "line contains a NUL byte") }
        var text = bytes[...]
        while let last = text.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { text = text.dropLast() }
        return try Parser.parse(Array(text))
    }
}
