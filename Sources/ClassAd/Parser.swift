/// Recursive-descent parser for the ClassAd expression grammar.
///
/// Both the parser's own recursion and the height of the tree it builds are bounded
/// (`maximumDepth`), so that neither parsing nor the later evaluation, unparsing and
/// destruction of a tree (all recursive) can exhaust the stack, whatever the input:
/// ten thousand `(` or a megabyte of `1+1+1...` are syntax errors, not crashes.
///
/// The bound is far above anything HTCondor writes (job ads nest a few levels) and low
/// enough that the deepest accepted input needs under 0.5 MiB of stack in a release
/// build (about 0.9 KiB per level, measured) and under 4 MiB in a debug build.
struct Parser {
    static let maximumDepth = 500

    private let tokens: [Token]
    private var index = 0
    private var depth = 0

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// Parses one complete expression; anything left over is an error.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Expression {
        var parser = Parser(tokens: try Lexer.tokenize(bytes))
        let parsed = try parser.expression()
        guard parser.current == .end else {
            throw SyntaxError(message: "unexpected \(parser.current.text) after the expression")
        }
        return parsed.expression
    }

    /// An expression and the height of its tree.
    private struct Parsed {
        var expression: Expression
        var height: Int
    }

    private var current: Token { tokens[index] }

    private mutating func advance() { if index < tokens.count - 1 { index += 1 } }

    private mutating func expect(_ symbol: Token.Symbol, _ what: String) throws(SyntaxError) {
        guard current == .symbol(symbol) else {
            throw SyntaxError(message: "expected \(what), found \(current.text)")
        }
        advance()
    }

    private func node(_ expression: Expression, over children: Parsed...) throws(SyntaxError) -> Parsed {
        try node(expression, over: children)
    }

    /// Counts one level of parser recursion (paired with `depth -= 1`).
    private mutating func enter() throws(SyntaxError) {
        guard depth < Self.maximumDepth else {
            throw SyntaxError(message: "expression nested deeper than \(Self.maximumDepth)")
        }
        depth += 1
    }

    // MARK: grammar

    /// expression := binary(1) [ '?' expression ':' expression | '?' ':' expression ]
    private mutating func expression() throws(SyntaxError) -> Parsed {
        try enter()
        defer { depth -= 1 }
        let condition = try binary(minimumPrecedence: 1)
        guard current == .symbol(.question) else { return condition }
        advance()
        if current == .symbol(.colon) {
            advance()
            let fallback = try expression()
            return try node(.elvis(condition.expression, fallback.expression), over: condition, fallback)
        }
        let whenTrue = try expression()
        try expect(.colon, "':' of '?:'")
        let whenFalse = try expression()
        return try node(
            .ternary(condition.expression, whenTrue.expression, whenFalse.expression),
            over: condition, whenTrue, whenFalse)
    }

    /// Precedence climbing over the left-associative binary operators.
    private mutating func binary(minimumPrecedence: Int) throws(SyntaxError) -> Parsed {
        var left = try unary()
        while let op = current.binaryOperator, op.precedence >= minimumPrecedence {
            advance()
            // Recursion here is bounded by the number of precedence levels.
            let right = try binary(minimumPrecedence: op.precedence + 1)
            left = try node(.binary(op, left.expression, right.expression), over: left, right)
        }
        return left
    }

    private mutating func unary() throws(SyntaxError) -> Parsed {
        let op: UnaryOperator
        switch current {
        case .symbol(.minus): op = .minus
        case .symbol(.plus): op = .plus
        case .symbol(.bang): op = .not
        case .symbol(.tilde): op = .bitwiseNot
        default: return try postfix()
        }
        advance()
        try enter()
        defer { depth -= 1 }
        let operand = try unary()
        return try node(.unary(op, operand.expression), over: operand)
    }

    /// primary { '[' expression ']' | '.' name }
    private mutating func postfix() throws(SyntaxError) -> Parsed {
        var base = try primary()
        while true {
            if current == .symbol(.openBracket) {
                advance()
                let subscriptExpression = try expression()
                try expect(.closeBracket, "']'")
                base = try node(.subscripted(base.expression, subscriptExpression.expression), over: base, subscriptExpression)
            } else if current == .symbol(.dot) {
                advance()
                guard case .identifier(let name) = current else {
                    throw SyntaxError(message: "expected an attribute name after '.', found \(current.text)")
                }
                advance()
                base = try node(.select(base.expression, name), over: base)
            } else {
                return base
            }
        }
    }

    private mutating func primary() throws(SyntaxError) -> Parsed {
        let token = current
        switch token {
        case .integer(let value): advance(); return leaf(.integer(value))
        case .real(let value): advance(); return leaf(.real(value))
        case .string(let value): advance(); return leaf(.string(value))
        case .boolean(let value): advance(); return leaf(.boolean(value))
        case .undefined: advance(); return leaf(.undefined)
        case .error: advance(); return leaf(.error)
        case .identifier(let name):
            advance()
            if current == .symbol(.openParen) { return try call(name) }
            return Parsed(expression: .attribute(name: name, absolute: false), height: 1)
        case .symbol(.dot):
            advance()
            guard case .identifier(let name) = current else {
                throw SyntaxError(message: "expected an attribute name after '.', found \(current.text)")
            }
            advance()
            return Parsed(expression: .attribute(name: name, absolute: true), height: 1)
        case .symbol(.openParen):
            advance()
            let inner = try expression()
            try expect(.closeParen, "')'")
            return try node(.parenthesized(inner.expression), over: inner)
        case .symbol(.openBrace):
            advance()
            let items = try sequence(until: .closeBrace)
            return try node(.list(items.map(\.expression)), over: items)
        case .symbol(.openBracket):
            advance()
            return try record()
        default:
            throw SyntaxError(message: "unexpected \(token.text)")
        }
    }

    private func leaf(_ literal: Expression.Literal) -> Parsed {
        Parsed(expression: .literal(literal), height: 1)
    }

    private func node(_ expression: Expression, over children: [Parsed]) throws(SyntaxError) -> Parsed {
        let height = 1 + children.reduce(0) { max($0, $1.height) }
        guard height <= Self.maximumDepth else {
            throw SyntaxError(message: "expression nested deeper than \(Self.maximumDepth)")
        }
        return Parsed(expression: expression, height: height)
    }

    private mutating func call(_ name: String) throws(SyntaxError) -> Parsed {
        advance()  // '('
        let arguments = try sequence(until: .closeParen)
        return try node(.call(name, arguments.map(\.expression)), over: arguments)
    }

    /// Comma-separated expressions up to and including `closing`.
    private mutating func sequence(until closing: Token.Symbol) throws(SyntaxError) -> [Parsed] {
        var items: [Parsed] = []
        if current == .symbol(closing) {
            advance()
            return items
        }
        while true {
            items.append(try expression())
            if current == .symbol(closing) {
                advance()
                return items
            }
            try expect(.comma, "',' or a closing bracket")
        }
    }

    /// '[' { name '=' expression ';' } ']' (the opening bracket already consumed; the
    /// last ';' optional).
    private mutating func record() throws(SyntaxError) -> Parsed {
        var ad = ClassAd()
        var children: [Parsed] = []
        while current != .symbol(.closeBracket) {
            guard case .identifier(let name) = current else {
                throw SyntaxError(message: "expected an attribute name in a nested ad, found \(current.text)")
            }
            advance()
            try expect(.assign, "'=' in a nested ad")
            let value = try expression()
            ad.set(name, value.expression)
            children.append(value)
            if current == .symbol(.semicolon) {
                advance()
            } else if current != .symbol(.closeBracket) {
                throw SyntaxError(message: "expected ';' or ']' in a nested ad, found \(current.text)")
            }
        }
        advance()
        return try node(.record(ad), over: children)
    }
}

extension Token {
    var binaryOperator: BinaryOperator? {
        guard case .symbol(let symbol) = self else { return nil }
        switch symbol {
        case .orOr: return .or
        case .andAnd: return .and
        case .bar: return .bitwiseOr
        case .caret: return .bitwiseXor
        case .ampersand: return .bitwiseAnd
        case .equalEqual: return .equal
        case .notEqual: return .notEqual
        case .metaEqual: return .metaEqual
        case .metaNotEqual: return .metaNotEqual
        case .less: return .less
        case .lessEqual: return .lessOrEqual
        case .greater: return .greater
        case .greaterEqual: return .greaterOrEqual
        case .shiftLeft: return .shiftLeft
        case .shiftRight: return .shiftRight
        case .unsignedShiftRight: return .unsignedShiftRight
        case .plus: return .add
        case .minus: return .subtract
        case .star: return .multiply
        case .slash: return .divide
        case .percent: return .modulo
        default: return nil
        }
    }

    /// How the token is named in an error message.
    var text: String {
        switch self {
        case .integer(let value): "number \(value)"
        case .real(let value): "number \(value)"
        case .string: "a string"
        case .boolean(let value): value ? "true" : "false"
        case .undefined: "undefined"
        case .error: "error"
        case .identifier(let name): "'\(name)'"
        case .symbol(let symbol): "'\(symbol.text)'"
        case .end: "end of input"
        }
    }
}

extension Token.Symbol {
    var text: String {
        switch self {
        case .orOr: "||"
        case .andAnd: "&&"
        case .bar: "|"
        case .caret: "^"
        case .ampersand: "&"
        case .equalEqual: "=="
        case .notEqual: "!="
        case .metaEqual: "=?="
        case .metaNotEqual: "=!="
        case .less: "<"
        case .lessEqual: "<="
        case .greater: ">"
        case .greaterEqual: ">="
        case .shiftLeft: "<<"
        case .shiftRight: ">>"
        case .unsignedShiftRight: ">>>"
        case .plus: "+"
        case .minus: "-"
        case .star: "*"
        case .slash: "/"
        case .percent: "%"
        case .bang: "!"
        case .tilde: "~"
        case .question: "?"
        case .colon: ":"
        case .semicolon: ";"
        case .comma: ","
        case .dot: "."
        case .assign: "="
        case .openParen: "("
        case .closeParen: ")"
        case .openBracket: "["
        case .closeBracket: "]"
        case .openBrace: "{"
        case .closeBrace: "}"
        }
    }
}
