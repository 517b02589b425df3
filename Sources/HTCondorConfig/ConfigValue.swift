/// How HTCondor reads typed values out of configuration text.
enum ConfigValue {
    /// `true`/`false`, `yes`/`no`, `t`/`f` (any case) and integers (non-zero is true).
    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "t", "y": return true
        case "false", "no", "f", "n": return false
        default: return integer(text).map { $0 != 0 }
        }
    }

    /// An integer, or integer arithmetic such as `10 * 1024 * 1024` (HTCondor evaluates these
    /// settings as ClassAd expressions; the arithmetic subset is what admins actually write).
    static func integer(_ text: String) -> Int? {
        var parser = IntegerExpression(text)
        return parser.parse()
    }

    /// A size as HTCondor writes it for `MAX_*_LOG`: a number with an optional unit
    /// (`10 Mb`, `512K`, `1 GB`; powers of 1024), in bytes.
    static func byteCount(_ text: String) -> Int? {
        var number = text.trimmed
        if number.last == "b" || number.last == "B" { number.removeLast() }
        let scale: Int
        switch number.last?.uppercased() {
        case "K": scale = 1 << 10
        case "M": scale = 1 << 20
        case "G": scale = 1 << 30
        case "T": scale = 1 << 40
        default: scale = 1
        }
        if scale > 1 { number.removeLast() }
        guard let value = integer(number) else { return nil }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
        return overflow ? nil : bytes
    }

    /// HTCondor's list syntax: items separated by commas and/or white space, empties dropped.
    static func list(_ text: String) -> [String] {
        text.split { $0 == "," || $0.isWhitespace }.map(String.init)
    }

    /// Strips one pair of surrounding double quotes, which HTCondor tolerates in some settings.
    static func unquoted(_ text: String) -> String {
        guard text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\"") else { return text }
        return String(text.dropFirst().dropLast())
    }
}

/// A recursive-descent reader for `+ - * /`, unary minus, parentheses and decimal integers.
/// Overflow and division by zero make the whole value invalid rather than wrong.
struct IntegerExpression {
    private let characters: [Character]
    private var position = 0

    init(_ text: String) {
        characters = Array(text)
    }

    mutating func parse() -> Int? {
        guard let value = sum(), atEnd else { return nil }
        return value
    }

    private var atEnd: Bool {
        mutating get {
            skipSpace()
            return position == characters.count
        }
    }

    private mutating func sum() -> Int? {
        guard var value = product() else { return nil }
        while let op = take(["+", "-"]) {
            guard let rhs = product() else { return nil }
            let (result, overflow) = op == "+" ? value.addingReportingOverflow(rhs) : value.subtractingReportingOverflow(rhs)
            guard !overflow else { return nil }
            value = result
        }
        return value
    }

    private mutating func product() -> Int? {
        guard var value = unary() else { return nil }
        while let op = take(["*", "/"]) {
            guard let rhs = unary() else { return nil }
            if op == "*" {
                let (result, overflow) = value.multipliedReportingOverflow(by: rhs)
                guard !overflow else { return nil }
                value = result
            } else {
                guard rhs != 0 else { return nil }
                value /= rhs
            }
        }
        return value
    }

    private mutating func unary() -> Int? {
        if take(["-"]) != nil { return unary().flatMap { $0 == .min ? nil : -$0 } }
        if take(["+"]) != nil { return unary() }
        if take(["("]) != nil {
            guard let value = sum(), take([")"]) != nil else { return nil }
            return value
        }
        skipSpace()
        let start = position
        while position < characters.count, characters[position].isASCII, characters[position].isNumber { position += 1 }
        guard position > start else { return nil }
        return Int(String(characters[start..<position]))
    }

    private mutating func take(_ options: Set<Character>) -> Character? {
        skipSpace()
        guard position < characters.count, options.contains(characters[position]) else { return nil }
        defer { position += 1 }
        return characters[position]
    }

    private mutating func skipSpace() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }
}
