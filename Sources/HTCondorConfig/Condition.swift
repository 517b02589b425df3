#if canImport(Glibc)
    import Glibc
#endif

/// HTCondor's "simple conditions" for `if` and `elif`, with HTCondor's verdict on what is one.
///
/// After macro expansion (an expansion to nothing is false) and one optional leading `!`:
/// - a number (`2`, `-1`, `1.5`): true unless zero;
/// - `true`/`false`, and the older `yes`/`t`, `no`/`f` (not `y`/`n`);
/// - `version OP x.y[.z]` with OP one of `==`, `=`, `!=`, `<`, `<=`, `>`, `>=` (white space
///   around OP required before the version, as in HTCondor); `x.y` compares only the first two
///   numbers; the version compared against is `HTCondorVersion`'s;
/// - `defined NAME` (a non-empty value), `defined` of a number or boolean (true), and
///   `defined use CATEGORY[:NAME]` (the metaknob exists).
/// Anything else is refused, as HTCondor refuses it: "complex conditionals" (operators,
/// parentheses, several words) and words that are not a boolean.
struct ConditionEvaluator {
    var expand: (String) -> String
    /// The value a lookup of the name sees, nil when undefined.
    var lookup: (String) -> String?
    var version: () -> HTCondorVersion

    enum Refusal: Error {
        case complex, notACondition, badVersion, badDefinedArgument, spacedMetaknob

        var reason: String {
            switch self {
            case .complex: "complex conditions (operators, parentheses, several words) are not supported"
            case .notACondition: "the expression is not a condition"
            case .badVersion: "the version is not of the form x.y or x.y.z (x at least 6)"
            case .badDefinedArgument: "'defined' takes a configuration name, a boolean or a number"
            case .spacedMetaknob: "'defined use' takes CATEGORY or CATEGORY:NAME without spaces"
            }
        }
    }

    func evaluate(_ condition: String) throws(Refusal) -> Bool {
        var text = Substring(condition)
        let expanded = text.contains("$")
        if expanded {
            let value = expand(String(text))
            text = value[..<(value.lastIndex { !$0.isWhitespace }.map(value.index(after:)) ?? value.startIndex)]
        }
        text = text.drop(while: \.isWhitespace)
        let inverted = text.first == "!"
        if inverted { text = text.dropFirst().drop(while: \.isWhitespace) }
        if expanded && text.isEmpty { return inverted }
        return try evaluateSimple(String(text)) != inverted
    }

    private func evaluateSimple(_ text: String) throws(Refusal) -> Bool {
        switch ConditionShape(text, keywords: true) {
        case .number: return Self.number(text) != 0
        case .boolean: return Self.word(text, is: "true")
        case .identifier:
            guard let value = Self.oldStyleBoolean(text) else { throw .notACondition }
            return value
        case .version: return try compareVersion(text.dropFirst("version".count))
        case .defined: return try isDefined(text.dropFirst("defined".count).trimmed)
        case .complex: throw .complex
        case .empty, .macro: throw .notACondition
        }
    }

    /// `OP VERSION` after the keyword.
    private func compareVersion(_ rest: Substring) throws(Refusal) -> Bool {
        var text = rest.drop(while: \.isWhitespace)
        let negated = text.first == "!"
        if negated { text = text.dropFirst() }
        var wanted = 0
        var orEqual = false
        if let first = text.first, "<=>".contains(first) {
            wanted = first == "<" ? -1 : first == ">" ? 1 : 0
            text = text.dropFirst()
        }
        if text.first == "=" {
            orEqual = true
            text = text.dropFirst()
        }
        text = text.drop(while: \.isWhitespace)
        let current = version()
        guard let given = Self.versionLiteral(text, patchDefault: current.patch) else { throw .badVersion }
        let order = current < given ? -1 : current == given ? 0 : 1
        let result = order == wanted || (orEqual && order == 0)
        return result != negated
    }

    /// `x.y[.z]` at the start of `text` (an optional `v` first, anything after ignored), x >= 6.
    static func versionLiteral(_ text: Substring, patchDefault: Int) -> HTCondorVersion? {
        var rest = text
        if rest.first == "v" || rest.first == "V" { rest = rest.dropFirst() }
        var numbers: [Int] = []
        while numbers.count < 3 {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, let value = Int(digits) else { break }
            numbers.append(value)
            rest = rest.dropFirst(digits.count)
            guard rest.first == "." else { break }
            rest = rest.dropFirst()
        }
        guard numbers.count >= 2, numbers[0] >= 6 else { return nil }
        return HTCondorVersion(major: numbers[0], minor: numbers[1], patch: numbers.count > 2 ? numbers[2] : patchDefault)
    }

    private func isDefined(_ argument: String) throws(Refusal) -> Bool {
        guard !argument.isEmpty else { return false }
        switch ConditionShape(argument, keywords: false) {
        case .identifier:
            if let value = lookup(argument) { return !value.isEmpty }
            return Self.oldStyleBoolean(argument) != nil
        case .number, .boolean:
            return true
        default:
            guard argument.lowercased().hasPrefix("use ") else { throw .badDefinedArgument }
            let reference = argument.dropFirst(4).drop(while: \.isWhitespace)
            guard !reference.contains(where: { $0 == " " || $0 == "\t" || $0 == "\r" }) else { throw .spacedMetaknob }
            return Metaknobs.exists(reference)
        }
    }

    /// HTCondor's `atof`: the leading number, 0 when there is none.
    private static func number(_ text: String) -> Double {
        strtod(text, nil)
    }

    private static func word(_ text: String, is literal: String) -> Bool {
        text.trimmed.lowercased() == literal
    }

    private static func oldStyleBoolean(_ text: String) -> Bool? {
        switch text.trimmed.lowercased() {
        case "yes", "t": true
        case "no", "f": false
        default: nil
        }
    }
}

/// What a condition looks like from the kinds of characters in it, which is how HTCondor
/// decides between a simple condition and a "complex" one it refuses.
enum ConditionShape {
    case empty, number, boolean, identifier, version, defined, macro, complex

    private struct Kinds: OptionSet {
        let rawValue: Int
        static let space = Kinds(rawValue: 1 << 0)  // white space inside the text
        static let digit = Kinds(rawValue: 1 << 1)
        static let alpha = Kinds(rawValue: 1 << 2)
        static let ident = Kinds(rawValue: 1 << 3)  // _ / and a `.` that is not part of a number
        static let compare = Kinds(rawValue: 1 << 4)
        static let sum = Kinds(rawValue: 1 << 5)
        static let logic = Kinds(rawValue: 1 << 6)
        static let group = Kinds(rawValue: 1 << 7)
        static let money = Kinds(rawValue: 1 << 8)
        static let colon = Kinds(rawValue: 1 << 9)
        static let other = Kinds(rawValue: 1 << 10)
        static let float = Kinds(rawValue: 1 << 11)  // `.` or `e` inside a number
        static let macro = Kinds(rawValue: 1 << 12)  // `$(`
    }

    init(_ text: String, keywords: Bool) {
        let characters = Array(text.drop(while: \.isWhitespace))
        guard !characters.isEmpty else {
            self = .empty
            return
        }
        let kinds = Self.kinds(of: characters.first == "-" ? Array(characters.dropFirst()) : characters)
        let trimmed = String(characters)
        func startsWith(_ keyword: String) -> Bool {
            guard trimmed.lowercased().hasPrefix(keyword) else { return false }
            let next = trimmed.dropFirst(keyword.count).first
            return next.map { !($0.isASCII && ($0.isLetter || $0.isNumber)) } ?? true
        }
        let isWord = { (word: String) in trimmed.trimmed.lowercased() == word }
        switch kinds {
        case []: self = .empty
        case [.digit], [.digit, .float]: self = .number
        case [.alpha]:
            if isWord("true") || isWord("false") {
                self = .boolean
            } else if keywords && isWord("version") {
                self = .version
            } else if keywords && isWord("defined") {
                self = .defined
            } else {
                self = .identifier
            }
        case [.alpha, .digit], [.alpha, .digit, .float], [.alpha, .ident], [.alpha, .ident, .digit],
            [.alpha, .ident, .digit, .float]:
            self = .identifier
        case [.alpha, .space, .compare, .digit], [.alpha, .space, .compare, .digit, .float]:
            self = keywords && startsWith("version") ? .version : .complex
        case [.alpha, .space], [.alpha, .space, .colon], [.alpha, .space, .ident], [.alpha, .space, .ident, .colon],
            [.alpha, .space, .digit], [.alpha, .space, .digit, .ident], [.alpha, .space, .digit, .float],
            [.alpha, .space, .digit, .ident, .float]:
            self = keywords && startsWith("defined") ? .defined : .complex
        default:
            let plain: Kinds = [.money, .ident, .alpha, .digit, .macro, .colon]
            self = kinds.contains(.macro) && plain.isSuperset(of: kinds) ? .macro : .complex
        }
    }

    private static func kinds(of characters: [Character]) -> Kinds {
        var kinds: Kinds = []
        for (index, character) in characters.enumerated() {
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "0"..."9": kinds.insert(.digit)
            case ".":
                let numeric = kinds == .digit || next == nil || next.map { $0.isASCII && $0.isNumber } == true
                kinds.insert(numeric ? .float : .ident)
            case "e", "E": kinds.insert(kinds.subtracting(.float) == .digit ? .float : .alpha)
            case "-", "+": if kinds != [.digit, .float] { kinds.insert(.sum) }
            case "a"..."z", "A"..."Z": kinds.insert(.alpha)
            case "_", "/": kinds.insert(.ident)
            case "<", "=", ">": kinds.insert(.compare)
            case "!" where next == "=": kinds.insert(.compare)
            case "$":
                kinds.insert(.money)
                if next == "(" { kinds.insert(.macro) }
            case " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}":
                if let next, !next.isWhitespace { kinds.insert(.space) }
            case "&", "|": kinds.insert(.logic)
            case "{", "}", "(", ")", "[", "]": kinds.insert(.group)
            case ":": kinds.insert(.colon)
            default: kinds.insert(.other)
            }
        }
        return kinds
    }
}
