/// One lexical token of the ClassAd expression grammar.
enum Token: Equatable {
    case integer(Int)
    case real(Double)
    case string(String)
    case boolean(Bool)
    case undefined
    case error
    case identifier(String)
    case symbol(Symbol)
    case end

    enum Symbol: Equatable {
        case orOr, andAnd, bar, caret, ampersand
        case equalEqual, notEqual, metaEqual, metaNotEqual
        case less, lessEqual, greater, greaterEqual
        case shiftLeft, shiftRight, unsignedShiftRight
        case plus, minus, star, slash, percent
        case bang, tilde, question, colon, semicolon, comma, dot, assign
        case openParen, closeParen, openBracket, closeBracket, openBrace, closeBrace
    }

    /// Whether the token can end an operand. After one, `-` is the subtraction operator;
    /// anywhere else a `-` directly followed by a digit starts a negative number, as in
    /// HTCondor's lexer (so `-42` is one literal while `- 42` is an operator applied to 42).
    var endsOperand: Bool {
        switch self {
        case .integer, .real, .string, .boolean, .undefined, .error, .identifier: true
        case .symbol(.dot), .symbol(.closeParen), .symbol(.closeBracket), .symbol(.closeBrace): true
        default: false
        }
    }
}

/// Why a line could not be parsed (internal; surfaced as `ClassAdParseError`).
struct SyntaxError: Error {
    var message: String
}
