/// Evaluates expressions against an ad and the ads it is nested in.
///
/// References resolve case-insensitively from the innermost ad outwards. An attribute
/// that (directly or not) refers to itself evaluates to `error` instead of recursing.
/// Whatever the ad, an evaluation neither exhausts the stack (its nesting is bounded) nor
/// runs for long: attributes of the ad itself are evaluated at most once per evaluation,
/// and all work (nodes visited, list elements compared) draws on one budget, so an ad
/// whose attributes double each other's work ends in `error`, not in a hang.
struct Evaluator {
    static let maximumDepth = 1500
    /// Far above a real job ad (a few thousand steps), and about 40 ms of work at most.
    static let workBudget = 250_000

    /// Outermost first; the expression being evaluated lives in the last one.
    private var scopes: [ClassAd]
    private var active: Set<ActiveAttribute> = []
    private var depth = 0
    private var budget = Evaluator.workBudget
    /// Values of the root ad's attributes already evaluated, by lower-cased name.
    private var rootValues: [String: ClassAdValue] = [:]

    private struct ActiveAttribute: Hashable {
        var level: Int
        var name: String
    }

    init(root: ClassAd) {
        scopes = [root]
    }

    mutating func evaluateAttribute(_ name: String) -> ClassAdValue {
        lookup(name, in: scopes.count - 1) ?? .undefined
    }

    mutating func evaluate(_ expression: Expression) -> ClassAdValue {
        depth += 1
        budget -= 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth, budget >= 0 else { return .error }
        switch expression {
        case .literal(let literal):
            return literal.value
        case .attribute(let name, let absolute):
            return reference(name, absolute: absolute)
        case .select(let base, let name):
            return select(base, name)
        case .unary(let op, let operand):
            return Operators.unary(op, evaluate(operand))
        case .binary(.and, let left, let right):
            let l = evaluate(left)
            if case .boolean(false) = l.booleanEquivalent { return .boolean(false) }
            return Operators.and(l, evaluate(right))
        case .binary(.or, let left, let right):
            let l = evaluate(left)
            if case .boolean(true) = l.booleanEquivalent { return .boolean(true) }
            return Operators.or(l, evaluate(right))
        case .binary(let op, let left, let right) where op == .metaEqual || op == .metaNotEqual:
            let l = evaluate(left), r = evaluate(right)
            guard let same = Operators.identical(l, r, budget: &budget) else { return .error }
            return .boolean(same == (op == .metaEqual))
        case .binary(let op, let left, let right):
            return Operators.binary(op, evaluate(left), evaluate(right))
        case .ternary(let condition, let whenTrue, let whenFalse):
            switch evaluate(condition).booleanEquivalent {
            case .boolean(true): return evaluate(whenTrue)
            case .boolean(false): return evaluate(whenFalse)
            case .undefined: return .undefined
            default: return .error
            }
        case .elvis(let value, let fallback):
            let v = evaluate(value)
            return v == .undefined ? evaluate(fallback) : v
        case .parenthesized(let inner):
            return evaluate(inner)
        case .subscripted(let base, let index):
            return subscripted(evaluate(base), evaluate(index))
        case .call(let name, let arguments):
            return Functions.call(name, arguments, &self)
        case .list(let items):
            return .list(items.map { evaluate($0) })
        case .record(let ad):
            return .classAd(ad)
        }
    }

    // MARK: references

    /// A bare name: the innermost ad that has it, else one of the scope names (`MY`,
    /// `SELF`, `PARENT`, `ROOT`/`TOPLEVEL`) as an ad, else undefined (`TARGET` included:
    /// a job ad is evaluated without a machine to match).
    private mutating func reference(_ name: String, absolute: Bool) -> ClassAdValue {
        if absolute { return lookup(name, in: 0) ?? .undefined }
        if let level = owner(of: name) { return lookup(name, in: level) ?? .undefined }
        guard let level = scopeLevel(named: name) else { return .undefined }
        return .classAd(scopes[level])
    }

    /// The scope an ad-naming reference (`MY`, `PARENT`, ...) stands for, as a level.
    private func scopeLevel(named name: String) -> Int? {
        let top = scopes.count - 1
        switch name.lowercased() {
        case "my", "self": return top
        case "parent": return top > 0 ? top - 1 : nil
        case "root", "toplevel": return 0
        default: return nil
        }
    }

    /// `base.name`. `MY.name`, `PARENT.name` and the like look the name up in that
    /// enclosing ad directly (so its references keep their scope); any other base must
    /// evaluate to an ad.
    private mutating func select(_ base: Expression, _ name: String) -> ClassAdValue {
        if case .attribute(let scopeName, false) = base, owner(of: scopeName) == nil {
            if let level = scopeLevel(named: scopeName) { return lookup(name, in: level) ?? .undefined }
            if scopeName.lowercased() == "target" { return .undefined }
        }
        switch evaluate(base) {
        case .classAd(let ad): return attribute(name, of: ad)
        case .undefined: return .undefined
        default: return .error
        }
    }

    /// Evaluates `name` inside `ad`, which is entered as a new innermost scope.
    private mutating func attribute(_ name: String, of ad: ClassAd) -> ClassAdValue {
        scopes.append(ad)
        defer { scopes.removeLast() }
        return lookup(name, in: scopes.count - 1) ?? .undefined
    }

    /// The innermost level whose ad defines `name`.
    private func owner(of name: String) -> Int? {
        scopes.indices.reversed().first { scopes[$0].contains(name) }
    }

    /// Evaluates the attribute `name` of the ad at `level`, in that ad's scope; `nil` when
    /// the ad has no such attribute. An attribute already being evaluated (a reference
    /// cycle) is an error.
    private mutating func lookup(_ name: String, in level: Int) -> ClassAdValue? {
        guard let expression = scopes[level].expression(name) else { return nil }
        let key = ActiveAttribute(level: level, name: name.lowercased())
        if level == 0, let known = rootValues[key.name] { return known }
        guard active.insert(key).inserted else { return .error }
        let saved = scopes
        scopes.removeSubrange((level + 1)...)
        defer {
            scopes = saved
            active.remove(key)
        }
        let value = evaluate(expression)
        if level == 0 { rootValues[key.name] = value }
        return value
    }

    private mutating func subscripted(_ base: ClassAdValue, _ index: ClassAdValue) -> ClassAdValue {
        if base == .error || index == .error { return .error }
        if base == .undefined || index == .undefined { return .undefined }
        switch (base, index) {
        case (.list(let items), .integer(let i)):
            return items.indices.contains(i) ? items[i] : .error
        case (.classAd(let ad), .string(let name)):
            return attribute(name, of: ad)
        default:
            return .error
        }
    }
}

extension Expression.Literal {
    var value: ClassAdValue {
        switch self {
        case .undefined: .undefined
        case .error: .error
        case .boolean(let b): .boolean(b)
        case .integer(let i): .integer(i)
        case .real(let r): .real(r)
        case .string(let s): .string(s)
        }
    }
}
