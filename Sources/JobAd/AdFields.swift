import ClassAd
import VMCore

/// Typed reads of job-ad attributes, each refusing a present value of the wrong type with
/// the token the caller names instead of falling back to a default: an ad that says
/// `JobVMMemory = 512.5` or `JobVMNetworking = "yes"` holds a mistake the user should see,
/// not a silent guess. `undefined` (absent, or an expression that evaluates to it) counts
/// as absent, as in HTCondor.
struct AdFields {
    let ad: ClassAd

    /// Longest string value read from an ad (lists of transferred files can be long; a
    /// path or a name is far shorter and checked again by its own rule).
    static let maxStringLength = 256 * 1024

    /// An integer, nil when absent. Reals, booleans, strings and errors are refused.
    func integer(_ name: String, _ code: VMGAHPError.Code) throws(VMGAHPError) -> Int? {
        switch ad.evaluate(name) {
        case .undefined: return nil
        case .integer(let value): return value
        case let other: throw wrongType(name, other, expected: "an integer", code)
        }
    }

    /// The first of `names` that is present (a fallback chain such as `JobVMMemory`, then
    /// `RequestMemory`); a present value of the wrong type is refused, not skipped.
    func firstInteger(_ names: [String], _ code: VMGAHPError.Code) throws(VMGAHPError) -> Int? {
        for name in names {
            if let value = try integer(name, code) { return value }
        }
        return nil
    }

    /// A boolean, `false` when absent. Integers count as HTCondor counts them (non-zero is
    /// true); anything else is refused.
    func flag(_ name: String, _ code: VMGAHPError.Code) throws(VMGAHPError) -> Bool {
        switch ad.evaluate(name) {
        case .undefined: return false
        case .boolean(let value): return value
        case .integer(let value): return value != 0
        case let other: throw wrongType(name, other, expected: "a boolean", code)
        }
    }

    /// A string, nil when absent; refused when it is not a string, longer than `maxLength`
    /// bytes, or holds control characters or invalid UTF-8 (`TextRules`).
    func text(_ name: String, _ code: VMGAHPError.Code, maxLength: Int = maxStringLength) throws(VMGAHPError) -> String? {
        switch ad.evaluate(name) {
        case .undefined:
            return nil
        case .string(let value):
            guard value.utf8.count <= maxLength else {
                throw VMGAHPError.job(code, "\(name) is \(value.utf8.count) bytes long, more than the \(maxLength) accepted")
            }
            guard TextRules.isClean(value) else {
                throw VMGAHPError.job(code, "\(name) = \(TextRules.quoted(value)) holds a control character or invalid UTF-8")
            }
            return value
        case let other:
            throw wrongType(name, other, expected: "a string", code)
        }
    }

    /// A comma-separated list of names, trimmed, empty entries dropped.
    func list(_ name: String, _ code: VMGAHPError.Code) throws(VMGAHPError) -> [String] {
        guard let value = try text(name, code) else { return [] }
        return value.split(separator: ",").map(TextRules.trimmed).filter { !$0.isEmpty }
    }

    private func wrongType(_ name: String, _ value: ClassAdValue, expected: String, _ code: VMGAHPError.Code) -> VMGAHPError {
        VMGAHPError.job(code, "\(name) must be \(expected), but the ad gives \(value.typeName) \(TextRules.quoted(value.oldSyntax))")
    }
}
