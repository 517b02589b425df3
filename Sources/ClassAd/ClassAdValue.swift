/// The result of evaluating a ClassAd expression.
///
/// `undefined` and `error` are ordinary values, not failures: ClassAd logic is
/// three-valued, and a job ad that refers to an attribute it lacks simply yields
/// `undefined`, which the caller then treats as "not given".
public indirect enum ClassAdValue: Sendable, Equatable {
    case undefined
    case error
    case boolean(Bool)
    case integer(Int)
    case real(Double)
    case string(String)
    case list([ClassAdValue])
    case classAd(ClassAd)
}

extension ClassAdValue {
    /// The type's name as HTCondor's ClassAd library spells it (used in messages and tests).
    public var typeName: String {
        switch self {
        case .undefined: "undefined"
        case .error: "error"
        case .boolean: "boolean"
        case .integer: "integer"
        case .real: "real"
        case .string: "string"
        case .list: "list"
        case .classAd: "classad"
        }
    }

    /// The value written as an old-syntax ClassAd literal, the way HTCondor would print it.
    public var oldSyntax: String {
        var out = ""
        OldSyntaxWriter.write(self, into: &out)
        return out
    }

    /// `undefined` or `error`: the values a strict operator only propagates.
    var isExceptional: Bool {
        switch self {
        case .undefined, .error: true
        default: false
        }
    }
}
