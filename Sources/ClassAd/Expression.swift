/// A parsed ClassAd expression, kept as written so that it can be unparsed exactly as
/// HTCondor would (parentheses included) and evaluated lazily against its ad.
indirect enum Expression: Sendable, Equatable {
    case literal(Literal)
    /// A bare attribute name (`Memory`), or `.Memory` when `absolute` (the root ad's).
    case attribute(name: String, absolute: Bool)
    /// `base.name`, which also covers `MY.name` and `TARGET.name`.
    case select(Expression, String)
    case unary(UnaryOperator, Expression)
    case binary(BinaryOperator, Expression, Expression)
    case ternary(Expression, Expression, Expression)
    /// `a ?: b`: `a` unless it is undefined.
    case elvis(Expression, Expression)
    case parenthesized(Expression)
    case subscripted(Expression, Expression)
    case call(String, [Expression])
    case list([Expression])
    case record(ClassAd)

    enum Literal: Sendable, Equatable {
        case undefined, error
        case boolean(Bool)
        case integer(Int)
        case real(Double)
        case string(String)
    }
}

enum UnaryOperator: Sendable, Equatable {
    case minus, plus, not, bitwiseNot

    /// HTCondor's unparser puts a space before a unary operator and none after it.
    var spelling: String {
        switch self {
        case .minus: " -"
        case .plus: " +"
        case .not: " !"
        case .bitwiseNot: " ~"
        }
    }
}

enum BinaryOperator: Sendable, Equatable {
    case or, and
    case bitwiseOr, bitwiseXor, bitwiseAnd
    case equal, notEqual, metaEqual, metaNotEqual
    case less, lessOrEqual, greater, greaterOrEqual
    case shiftLeft, shiftRight, unsignedShiftRight
    case add, subtract, multiply, divide, modulo

    /// Binding strength: higher binds tighter. All binary operators are left-associative.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .bitwiseOr: 3
        case .bitwiseXor: 4
        case .bitwiseAnd: 5
        case .equal, .notEqual, .metaEqual, .metaNotEqual: 6
        case .less, .lessOrEqual, .greater, .greaterOrEqual: 7
        case .shiftLeft, .shiftRight, .unsignedShiftRight: 8
        case .add, .subtract: 9
        case .multiply, .divide, .modulo: 10
        }
    }

    /// The operator as the old-syntax unparser writes it, spaces included
    /// (`is`/`isnt` come out as `=?=`/`=!=`).
    var spelling: String {
        switch self {
        case .or: " || "
        case .and: " && "
        case .bitwiseOr: " | "
        case .bitwiseXor: " ^ "
        case .bitwiseAnd: " & "
        case .equal: " == "
        case .notEqual: " != "
        case .metaEqual: " =?= "
        case .metaNotEqual: " =!= "
        case .less: " < "
        case .lessOrEqual: " <= "
        case .greater: " > "
        case .greaterOrEqual: " >= "
        case .shiftLeft: " << "
        case .shiftRight: " >> "
        case .unsignedShiftRight: " >>> "
        case .add: " + "
        case .subtract: " - "
        case .multiply: " * "
        case .divide: " / "
        case .modulo: " % "
        }
    }
}

extension Expression {
    /// A value as the literal expression that evaluates to it.
    init(_ value: ClassAdValue) {
        switch value {
        case .undefined: self = .literal(.undefined)
        case .error: self = .literal(.error)
        case .boolean(let b): self = .literal(.boolean(b))
        case .integer(let i): self = .literal(.integer(i))
        case .real(let r): self = .literal(.real(r))
        case .string(let s): self = .literal(.string(s))
        case .list(let items): self = .list(items.map(Expression.init))
        case .classAd(let ad): self = .record(ad)
        }
    }
}
