/// ClassAd operator semantics on values.
///
/// Strict operators (all but `&&`, `||`, `=?=`, `=!=`) yield `error` if an operand is an
/// error, else `undefined` if one is undefined. Booleans count as 0/1 in arithmetic and
/// comparison. Integer arithmetic wraps instead of trapping; division or modulo by zero
/// is an error.
enum Operators {
    static func unary(_ op: UnaryOperator, _ value: ClassAdValue) -> ClassAdValue {
        if value.isExceptional { return value }
        switch (op, value) {
        case (.minus, .integer(let i)): return .integer(0 &- i)
        case (.minus, .real(let r)): return .real(-r)
        case (.minus, .boolean(let b)): return .boolean(!b)
        case (.plus, .integer), (.plus, .real): return value
        case (.not, _):
            if case .boolean(let b) = value.booleanEquivalent { return .boolean(!b) }
            return .error
        case (.bitwiseNot, .integer(let i)): return .integer(~i)
        case (.bitwiseNot, .boolean(let b)): return .boolean(!b)
        default: return .error
        }
    }

    /// `a && b` once `a` is known not to be false (which short-circuits).
    static func and(_ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        let l = left.booleanEquivalent, r = right.booleanEquivalent
        guard isLogical(l), isLogical(r) else { return .error }
        switch (l, r) {
        case (.boolean(false), _): return .boolean(false)
        case (.error, _): return .error
        case (.boolean(true), _): return r
        case (_, .boolean(false)): return .boolean(false)  // undefined && false
        case (_, .boolean(true)): return .undefined
        default: return r  // undefined && (undefined or error)
        }
    }

    /// `a || b` once `a` is known not to be true (which short-circuits).
    static func or(_ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        let l = left.booleanEquivalent, r = right.booleanEquivalent
        guard isLogical(l), isLogical(r) else { return .error }
        switch (l, r) {
        case (.boolean(true), _): return .boolean(true)
        case (.error, _): return .error
        case (.boolean(false), _): return r
        case (_, .boolean(true)): return .boolean(true)  // undefined || true
        case (_, .boolean(false)): return .undefined
        default: return r  // undefined || (undefined or error)
        }
    }

    /// Boolean, undefined or error: what the logical operators accept once numbers have
    /// been converted.
    private static func isLogical(_ value: ClassAdValue) -> Bool {
        switch value {
        case .boolean, .undefined, .error: true
        default: false
        }
    }

    /// The strict binary operators (the evaluator handles `&&`, `||`, `=?=` and `=!=`,
    /// which look at their operands differently).
    static func binary(_ op: BinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        if left == .error || right == .error { return .error }
        if left == .undefined || right == .undefined { return .undefined }
        switch op {
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            return compare(op, left, right)
        case .add, .subtract, .multiply, .divide, .modulo:
            return arithmetic(op, left, right)
        case .bitwiseAnd, .bitwiseOr, .bitwiseXor, .shiftLeft, .shiftRight, .unsignedShiftRight:
            return bitwise(op, left, right)
        case .and, .or, .metaEqual, .metaNotEqual:
            return .error
        }
    }

    /// `=?=`: same type and same value, strings compared case-sensitively; never
    /// undefined or error. Each list element compared costs one unit of `budget`; `nil`
    /// when it runs out (lists can share parts, so their full size can be exponential).
    static func identical(_ left: ClassAdValue, _ right: ClassAdValue, budget: inout Int) -> Bool? {
        budget -= 1
        guard budget >= 0 else { return nil }
        switch (left, right) {
        case (.undefined, .undefined), (.error, .error): return true
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.real(let a), .real(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.classAd(let a), .classAd(let b)): return a == b
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) {
                guard let same = identical(x, y, budget: &budget) else { return nil }
                if !same { return false }
            }
            return true
        default: return false
        }
    }

    private enum Numbers {
        case integers(Int, Int)
        case reals(Double, Double)
    }

    /// Promotes booleans to integers and integers to reals as needed; `nil` for anything
    /// that is not a number.
    private static func numbers(_ left: ClassAdValue, _ right: ClassAdValue) -> Numbers? {
        func number(_ v: ClassAdValue) -> ClassAdValue? {
            switch v {
            case .integer, .real: v
            case .boolean(let b): .integer(b ? 1 : 0)
            default: nil
            }
        }
        switch (number(left), number(right)) {
        case (.integer(let a), .integer(let b)): return .integers(a, b)
        case (.integer(let a), .real(let b)): return .reals(Double(a), b)
        case (.real(let a), .integer(let b)): return .reals(a, Double(b))
        case (.real(let a), .real(let b)): return .reals(a, b)
        default: return nil
        }
    }

    private static func compare(_ op: BinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        let order: Int
        switch (left, right) {
        case (.string(let a), .string(let b)):
            order = caseInsensitiveOrder(a, b)
        default:
            switch numbers(left, right) {
            case .integers(let a, let b)?: order = a < b ? -1 : (a == b ? 0 : 1)
            case .reals(let a, let b)?:
                // NaN is unordered: only != holds.
                if a.isNaN || b.isNaN { return .boolean(op == .notEqual) }
                order = a < b ? -1 : (a == b ? 0 : 1)
            case nil: return .error
            }
        }
        switch op {
        case .equal: return .boolean(order == 0)
        case .notEqual: return .boolean(order != 0)
        case .less: return .boolean(order < 0)
        case .lessOrEqual: return .boolean(order <= 0)
        case .greater: return .boolean(order > 0)
        default: return .boolean(order >= 0)
        }
    }

    /// Like C's `strcasecmp`: bytes compared with ASCII letters folded to lower case.
    static func caseInsensitiveOrder(_ a: String, _ b: String) -> Int {
        var i = a.utf8.makeIterator(), j = b.utf8.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?):
                let lx = asciiLower(x), ly = asciiLower(y)
                if lx != ly { return lx < ly ? -1 : 1 }
            }
        }
    }

    static func asciiLower(_ c: UInt8) -> UInt8 {
        c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
    }

    private static func arithmetic(_ op: BinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        switch numbers(left, right) {
        case .integers(let a, let b)?:
            switch op {
            case .add: return .integer(a &+ b)
            case .subtract: return .integer(a &- b)
            case .multiply: return .integer(a &* b)
            case .divide:
                if b == 0 { return .error }
                // Int.min / -1 does not fit; HTCondor answers Int.max rather than trap.
                return .integer(a == .min && b == -1 ? .max : a / b)
            default:
                if b == 0 { return .error }
                return .integer(b == -1 ? 0 : a % b)
            }
        case .reals(let a, let b)?:
            switch op {
            case .add: return .real(a + b)
            case .subtract: return .real(a - b)
            case .multiply: return .real(a * b)
            case .divide: return b == 0 ? .error : .real(a / b)
            default: return b == 0 ? .error : .real(a.truncatingRemainder(dividingBy: b))
            }
        case nil:
            return .error
        }
    }

    private static func bitwise(_ op: BinaryOperator, _ left: ClassAdValue, _ right: ClassAdValue) -> ClassAdValue {
        if case .boolean(let a) = left, case .boolean(let b) = right {
            switch op {
            case .bitwiseAnd: return .boolean(a && b)
            case .bitwiseOr: return .boolean(a || b)
            case .bitwiseXor: return .boolean(a != b)
            default: return .error
            }
        }
        guard case .integer(let a) = left, case .integer(let b) = right else { return .error }
        switch op {
        case .bitwiseAnd: return .integer(a & b)
        case .bitwiseOr: return .integer(a | b)
        case .bitwiseXor: return .integer(a ^ b)
        // Swift's shifts never trap: counts beyond the width give 0 (or -1), negative
        // counts shift the other way.
        case .shiftLeft: return .integer(a << b)
        case .shiftRight: return .integer(a >> b)
        case .unsignedShiftRight: return .integer(Int(bitPattern: UInt(bitPattern: a) >> b))
        default: return .error
        }
    }
}

extension ClassAdValue {
    /// Numbers read as booleans (non-zero is true) where ClassAds accept that: logical
    /// operators, `?:` and `ifThenElse`. Other values are returned unchanged.
    var booleanEquivalent: ClassAdValue {
        switch self {
        case .integer(let i): .boolean(i != 0)
        case .real(let r): .boolean(r != 0)
        default: self
        }
    }
}
