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
    ///
    /// Cut off after `oldSyntaxLimit` bytes (and then ending in `...`): a hostile ad can
    /// evaluate to a list that shares its parts and whose text would be exponentially long.
    public var oldSyntax: String {
        var out = ""
        if !OldSyntaxWriter.write(self, into: &out, limit: Self.oldSyntaxLimit) { out += "..." }
        return out
    }

    /// The most bytes `oldSyntax` writes, and the largest string the string functions
    /// (`strcat`, ...) build.
    public static let oldSyntaxLimit = 4 << 20

    /// How many values this one is made of (itself, and list elements recursively),
    /// counted no further than `limit + 1`.
    ///
    /// A list can share its parts, so an ad of a few lines can evaluate to a list with
    /// exponentially many elements; code that walks a value it did not build (to render
    /// it as JSON, say) should check this first.
    public func nodeCount(upTo limit: Int) -> Int {
        var count = 0
        countNodes(&count, limit: limit)
        return count
    }

    private func countNodes(_ count: inout Int, limit: Int) {
        count += 1
        guard count <= limit, case .list(let items) = self else { return }
        for item in items {
            item.countNodes(&count, limit: limit)
            if count > limit { return }
        }
    }

    /// `undefined` or `error`: the values a strict operator only propagates.
    var isExceptional: Bool {
        switch self {
        case .undefined, .error: true
        default: false
        }
    }
}
