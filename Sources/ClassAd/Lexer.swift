/// Splits one old-syntax expression (UTF-8 bytes) into tokens.
///
/// Works on bytes so that hostile input (invalid UTF-8, control characters) is only ever
/// looked at, never decoded, outside string literals; a byte it does not understand is a
/// syntax error, never a trap.
struct Lexer {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Tokenises the whole input; the last token is `.end`.
    static func tokenize(_ bytes: [UInt8]) throws(SyntaxError) -> [Token] {
        var lexer = Lexer(bytes)
        var tokens: [Token] = []
        var previous = Token.end
        while true {
            let token = try lexer.next(after: previous)
            tokens.append(token)
            if token == .end { return tokens }
            previous = token
        }
    }

    private func peek(_ offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func next(after previous: Token) throws(SyntaxError) -> Token {
        try skipSpaceAndComments()
        guard let byte = peek() else { return .end }
        switch byte {
        case UInt8(ascii: "-") where !previous.endsOperand && startsNumber(at: position + 1):
            return try number()
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try number()
        case UInt8(ascii: ".") where peek(1).map(Self.isDigit) ?? false:
            return try number()
        case UInt8(ascii: "\""):
            return .string(try quoted())
        case UInt8(ascii: "'"):
            return .identifier(try quoted())
        default:
            if Self.isIdentifierHead(byte) { return word() }
            return .symbol(try symbol())
        }
    }

    private func startsNumber(at index: Int) -> Bool {
        guard index < bytes.count else { return false }
        if Self.isDigit(bytes[index]) { return true }
        return bytes[index] == UInt8(ascii: ".") && index + 1 < bytes.count && Self.isDigit(bytes[index + 1])
    }

    private mutating func skipSpaceAndComments() throws(SyntaxError) {
        while let byte = peek() {
            if Self.isSpace(byte) {
                position += 1
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "/") {
                while let c = peek(), c != UInt8(ascii: "\n") { position += 1 }
            } else if byte == UInt8(ascii: "/"), peek(1) == UInt8(ascii: "*") {
                position += 2
                while !(peek() == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                    guard peek() != nil else { throw SyntaxError(message: "unterminated comment") }
                    position += 1
                }
                position += 2
            } else {
                return
            }
        }
    }

    // MARK: numbers

    /// `[-]digits`, `[-]digits.digits[e[+-]digits]`, `[-].digits...`, `[-]digits e[+-]digits`.
    /// Old ClassAds know neither octal nor hexadecimal, and HTCondor refuses `010` and
    /// `0x10` in a job ad, so a leading zero is only allowed before a fraction or exponent.
    private mutating func number() throws(SyntaxError) -> Token {
        let start = position
        if peek() == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        skipDigits()
        let integerDigits = position - integerStart
        var isReal = false
        if peek() == UInt8(ascii: ".") {
            position += 1
            guard let c = peek(), Self.isDigit(c) else {
                throw SyntaxError(message: "a digit must follow the decimal point")
            }
            skipDigits()
            isReal = true
        }
        if let c = peek(), c | 0x20 == UInt8(ascii: "e") {
            position += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { position += 1 }
            guard let d = peek(), Self.isDigit(d) else {
                throw SyntaxError(message: "an exponent needs digits")
            }
            skipDigits()
            isReal = true
        }
        if let c = peek(), Self.isIdentifierHead(c) || Self.isDigit(c) {
            throw SyntaxError(message: "malformed number")
        }
        let text = bytes[start..<position]
        if isReal {
            // Validated above: digits, one point, optional exponent. Double's parser
            // saturates to ±infinity on overflow instead of failing.
            guard let value = Double(String(decoding: text, as: UTF8.self)) else {
                throw SyntaxError(message: "malformed real number")
            }
            return .real(value)
        }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
            throw SyntaxError(message: "octal and hexadecimal integers are not allowed")
        }
        return .integer(Self.saturatingInteger(text))
    }

    private mutating func skipDigits() {
        while let c = peek(), Self.isDigit(c) { position += 1 }
    }

    /// Decimal digits (with optional leading `-`) clamped to `Int`'s range, as `strtoll` does.
    static func saturatingInteger(_ text: ArraySlice<UInt8>) -> Int {
        var digits = text[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        var magnitude: UInt64 = 0
        for digit in digits {
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            if o1 || o2 { return negative ? Int.min : Int.max }
            magnitude = sum
        }
        if negative {
            return magnitude > UInt64(Int.max) ? Int.min : -Int(magnitude)
        }
        return magnitude > UInt64(Int.max) ? Int.max : Int(magnitude)
    }

    // MARK: words, strings, symbols

    private mutating func word() -> Token {
        let start = position
        while let c = peek(), Self.isIdentifierHead(c) || Self.isDigit(c) { position += 1 }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        switch text.lowercased() {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        case "undefined": return .undefined
        case "error": return .error
        case "is": return .symbol(.metaEqual)
        case "isnt": return .symbol(.metaNotEqual)
        default: return .identifier(text)
        }
    }

    /// An old-syntax quoted string (or `'quoted attribute name'`).
    ///
    /// Old syntax has no escapes except one: a backslash right before the delimiter makes
    /// the delimiter literal and is itself dropped, unless that delimiter is the last
    /// character of the input (or of the line), in which case the delimiter closes the
    /// string and the backslash stays. So `"a\"b"` is `a"b`, `"C:\"` is `C:\`, and `"\n"`
    /// is a backslash and an `n`.
    private mutating func quoted() throws(SyntaxError) -> String {
        let delimiter = bytes[position]
        position += 1
        var value: [UInt8] = []
        var previous: UInt8 = 0
        while true {
            guard let c = peek() else { throw SyntaxError(message: "unterminated string") }
            position += 1
            if c != delimiter {
                value.append(c)
                previous = c
                continue
            }
            guard previous == UInt8(ascii: "\\") else { break }
            guard let following = peek(), following != UInt8(ascii: "\n") else { break }
            value[value.count - 1] = delimiter
            previous = 0
        }
        return String(decoding: value, as: UTF8.self)
    }

    private mutating func symbol() throws(SyntaxError) -> Token.Symbol {
        let c = bytes[position]
        let c1 = peek(1), c2 = peek(2)
        func take(_ n: Int, _ symbol: Token.Symbol) -> Token.Symbol {
            position += n
            return symbol
        }
        switch c {
        case UInt8(ascii: "."): return take(1, .dot)
        case UInt8(ascii: "*"): return take(1, .star)
        case UInt8(ascii: "/"): return take(1, .slash)
        case UInt8(ascii: "%"): return take(1, .percent)
        case UInt8(ascii: "+"): return take(1, .plus)
        case UInt8(ascii: "-"): return take(1, .minus)
        case UInt8(ascii: "~"): return take(1, .tilde)
        case UInt8(ascii: "^"): return take(1, .caret)
        case UInt8(ascii: "?"): return take(1, .question)
        case UInt8(ascii: ":"): return take(1, .colon)
        case UInt8(ascii: ";"): return take(1, .semicolon)
        case UInt8(ascii: ","): return take(1, .comma)
        case UInt8(ascii: "("): return take(1, .openParen)
        case UInt8(ascii: ")"): return take(1, .closeParen)
        case UInt8(ascii: "["): return take(1, .openBracket)
        case UInt8(ascii: "]"): return take(1, .closeBracket)
        case UInt8(ascii: "{"): return take(1, .openBrace)
        case UInt8(ascii: "}"): return take(1, .closeBrace)
        case UInt8(ascii: "&"): return c1 == UInt8(ascii: "&") ? take(2, .andAnd) : take(1, .ampersand)
        case UInt8(ascii: "|"): return c1 == UInt8(ascii: "|") ? take(2, .orOr) : take(1, .bar)
        case UInt8(ascii: "<"):
            if c1 == UInt8(ascii: "=") { return take(2, .lessEqual) }
            if c1 == UInt8(ascii: "<") { return take(2, .shiftLeft) }
            return take(1, .less)
        case UInt8(ascii: ">"):
            if c1 == UInt8(ascii: "=") { return take(2, .greaterEqual) }
            if c1 == UInt8(ascii: ">") {
                return c2 == UInt8(ascii: ">") ? take(3, .unsignedShiftRight) : take(2, .shiftRight)
            }
            return take(1, .greater)
        case UInt8(ascii: "="):
            if c1 == UInt8(ascii: "=") { return take(2, .equalEqual) }
            if c1 == UInt8(ascii: "?") {
                guard c2 == UInt8(ascii: "=") else { throw SyntaxError(message: "expected =?=") }
                return take(3, .metaEqual)
            }
            if c1 == UInt8(ascii: "!"), c2 == UInt8(ascii: "=") { return take(3, .metaNotEqual) }
            return take(1, .assign)
        case UInt8(ascii: "!"): return c1 == UInt8(ascii: "=") ? take(2, .notEqual) : take(1, .bang)
        default:
            throw SyntaxError(message: "unexpected character \(Self.describe(c))")
        }
    }

    // MARK: character classes (ASCII only, independent of locale)

    static func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    static func isIdentifierHead(_ c: UInt8) -> Bool {
        (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") || c == UInt8(ascii: "_")
    }

    /// Space, tab, LF, VT, FF, CR: C's `isspace` in the C locale.
    static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || (c >= 0x09 && c <= 0x0D) }

    static func describe(_ c: UInt8) -> String {
        if c >= 0x21 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        let hex = String(c, radix: 16, uppercase: true)
        return "0x" + (hex.count < 2 ? "0" + hex : hex)
    }
}
