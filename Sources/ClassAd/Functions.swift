#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The built-in functions a job ad uses. Names are case-insensitive; an unknown name or
/// a wrong number or type of arguments yields `error`, like HTCondor.
enum Functions {
    static func call(_ name: String, _ arguments: [Expression], _ evaluator: inout Evaluator) -> ClassAdValue {
        let lowered = name.lowercased()
        // ifThenElse evaluates only the branch it takes.
        if lowered == "ifthenelse" {
            guard arguments.count == 3 else { return .error }
            switch evaluator.evaluate(arguments[0]).booleanEquivalent {
            case .boolean(true): return evaluator.evaluate(arguments[1])
            case .boolean(false): return evaluator.evaluate(arguments[2])
            case .undefined: return .undefined
            default: return .error
            }
        }
        let values = arguments.map { evaluator.evaluate($0) }
        switch (lowered, values.count) {
        case ("strcat", _): return strcat(values)
        case ("size", 1): return size(values[0])
        case ("substr", 2), ("substr", 3): return substr(values)
        case ("toupper", 1): return mapASCII(values[0]) { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 }
        case ("tolower", 1): return mapASCII(values[0], Operators.asciiLower)
        case ("string", 1): return string(values[0])
        case ("bool", 1): return bool(values[0])
        case ("stringlistmember", 2), ("stringlistmember", 3): return listMember(values, ignoringCase: false)
        case ("stringlistimember", 2), ("stringlistimember", 3): return listMember(values, ignoringCase: true)
        case ("real", 1): return real(values[0])
        case ("int", 1): return int(values[0])
        case ("isundefined", 1): return .boolean(values[0] == .undefined)
        case ("iserror", 1): return .boolean(values[0] == .error)
        case ("isstring", 1): return .boolean(values[0].typeName == "string")
        case ("isinteger", 1): return .boolean(values[0].typeName == "integer")
        case ("isreal", 1): return .boolean(values[0].typeName == "real")
        case ("isboolean", 1): return .boolean(values[0].typeName == "boolean")
        case ("islist", 1): return .boolean(values[0].typeName == "list")
        case ("isclassad", 1): return .boolean(values[0].typeName == "classad")
        default: return .error
        }
    }

    /// Any value as a string, the way HTCondor converts arguments of the string
    /// functions: scalars unparsed (reals in new-syntax `%1.15E` form, as HTCondor does
    /// here), lists and ads written out; undefined and error stay as they are.
    private static func string(_ value: ClassAdValue) -> ClassAdValue {
        switch value {
        case .undefined, .error, .string: value
        case .integer(let i): .string(String(i))
        case .boolean(let b): .string(b ? "true" : "false")
        case .real(let r): .string(OldSyntaxWriter.formatRealNewSyntax(r))
        case .list, .classAd: written(value)
        }
    }

    /// A list or ad as old-syntax text, or an error when that is absurdly long.
    private static func written(_ value: ClassAdValue) -> ClassAdValue {
        var out = ""
        return OldSyntaxWriter.write(value, into: &out, limit: ClassAdValue.oldSyntaxLimit) ? .string(out) : .error
    }

    /// `strcat(...)`: undefined if any argument is, error if any is, and an error rather
    /// than a string longer than `ClassAdValue.oldSyntaxLimit` (attributes that
    /// concatenate each other twice double in length at every step).
    private static func strcat(_ values: [ClassAdValue]) -> ClassAdValue {
        var result = ""
        for value in values {
            switch string(value) {
            case .string(let piece):
                guard result.utf8.count + piece.utf8.count <= ClassAdValue.oldSyntaxLimit else { return .error }
                result += piece
            case let other: return other
            }
        }
        return .string(result)
    }

    /// `bool(x)`: numbers are true when non-zero, the strings "true"/"false" (any case)
    /// convert, other strings are undefined.
    private static func bool(_ value: ClassAdValue) -> ClassAdValue {
        switch value {
        case .undefined, .boolean: value
        case .integer, .real: value.booleanEquivalent
        case .string(let s) where s.lowercased() == "true": .boolean(true)
        case .string(let s) where s.lowercased() == "false": .boolean(false)
        case .string: .undefined
        default: .error
        }
    }

    private static func size(_ value: ClassAdValue) -> ClassAdValue {
        switch value {
        case .undefined: .undefined
        case .string(let s): .integer(s.utf8.count)
        case .list(let items): .integer(items.count)
        case .classAd(let ad): .integer(ad.entries.count)
        default: .error
        }
    }

    /// `substr(s, offset [, length])`, in bytes as HTCondor counts. A negative offset
    /// counts from the end; a negative length leaves that many bytes off the end.
    private static func substr(_ values: [ClassAdValue]) -> ClassAdValue {
        if values.contains(.error) { return .error }
        if values.contains(.undefined) { return .undefined }
        guard case .string(let s) = values[0], case .integer(var offset) = values[1] else { return .error }
        let bytes = Array(s.utf8)
        if offset < 0 { offset = max(0, bytes.count &+ offset) }
        offset = min(offset, bytes.count)
        var length = bytes.count - offset
        if values.count == 3 {
            guard case .integer(let requested) = values[2] else { return .error }
            length = requested < 0 ? max(0, length &+ requested) : min(requested, length)
        }
        return .string(String(decoding: bytes[offset..<(offset + length)], as: UTF8.self))
    }

    /// toUpper/toLower: ASCII letters only, like C's `toupper` in the C locale, on the
    /// argument converted to a string.
    private static func mapASCII(_ value: ClassAdValue, _ transform: (UInt8) -> UInt8) -> ClassAdValue {
        guard case .string(let s) = string(value) else { return string(value) }
        return .string(String(decoding: s.utf8.map(transform), as: UTF8.self))
    }

    /// `stringListMember(item, list [, delimiters])`: whether `item` is one of the entries
    /// of `list` split at any of the delimiter characters (default space and comma),
    /// with blanks around entries ignored.
    private static func listMember(_ values: [ClassAdValue], ignoringCase: Bool) -> ClassAdValue {
        if values.contains(.error) { return .error }
        if values.contains(.undefined) { return .undefined }
        guard case .string(let item) = values[0], case .string(let list) = values[1] else { return .error }
        var delimiters = Array(" ,".utf8)
        if values.count == 3 {
            guard case .string(let d) = values[2] else { return .error }
            delimiters = Array(d.utf8)
        }
        let wanted = Array(item.utf8)
        let entries = Array(list.utf8).split(whereSeparator: delimiters.contains)
        let found = entries.contains { entry in
            var trimmed = entry[...]
            while let f = trimmed.first, f == 0x20 || f == 0x09 { trimmed = trimmed.dropFirst() }
            while let l = trimmed.last, l == 0x20 || l == 0x09 { trimmed = trimmed.dropLast() }
            guard ignoringCase else { return trimmed.elementsEqual(wanted) }
            return trimmed.count == wanted.count
                && zip(trimmed, wanted).allSatisfy { Operators.asciiLower($0) == Operators.asciiLower($1) }
        }
        return .boolean(found)
    }

    /// `real(x)`: numbers, booleans and strings that start with a number (C's `strtod`,
    /// so `NaN`, `INF`, `-INF` too), optionally scaled by a `B`/`K`/`M`/`G`/`T` suffix.
    private static func real(_ value: ClassAdValue) -> ClassAdValue {
        switch value {
        case .undefined, .error, .real: value
        case .integer(let i): .real(Double(i))
        case .boolean(let b): .real(b ? 1 : 0)
        case .string(let s): leadingNumber(s).map(ClassAdValue.real) ?? .error
        default: .error
        }
    }

    /// `int(x)`: reals truncated toward zero (clamped to the integer range, NaN an
    /// error), booleans 0/1, strings as for `real` then truncated.
    private static func int(_ value: ClassAdValue) -> ClassAdValue {
        switch value {
        case .undefined, .error, .integer: value
        case .boolean(let b): .integer(b ? 1 : 0)
        case .real(let r): truncate(r)
        case .string(let s): leadingNumber(s).map(truncate) ?? .error
        default: .error
        }
    }

    private static func truncate(_ r: Double) -> ClassAdValue {
        if r.isNaN { return .error }
        if r >= 9.223372036854775807e18 { return .integer(.max) }
        if r <= -9.223372036854775808e18 { return .integer(.min) }
        return .integer(Int(r))
    }

    /// The number at the start of `s` as `strtod` reads it, times the scale factor
    /// letter right after it; `nil` when `s` does not start with a number.
    private static func leadingNumber(_ s: String) -> Double? {
        s.withCString { start -> Double? in
            var end: UnsafeMutablePointer<CChar>? = nil
            let value = strtod(start, &end)
            guard let end, end != UnsafeMutablePointer(mutating: start) else { return nil }
            switch UInt8(bitPattern: end.pointee) | 0x20 {
            case UInt8(ascii: "b"): return value
            case UInt8(ascii: "k"): return value * 1024
            case UInt8(ascii: "m"): return value * 1_048_576
            case UInt8(ascii: "g"): return value * 1_073_741_824
            case UInt8(ascii: "t"): return value * 1_099_511_627_776
            default: return value
            }
        }
    }
}
