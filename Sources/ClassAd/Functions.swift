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

    /// A scalar as text, for `strcat`; `nil` for lists and ads.
    private static func text(_ value: ClassAdValue) -> String? {
        switch value {
        case .string(let s): s
        case .integer(let i): String(i)
        case .real(let r): OldSyntaxWriter.formatReal(r)
        case .boolean(let b): b ? "true" : "false"
        default: nil
        }
    }

    private static func strcat(_ values: [ClassAdValue]) -> ClassAdValue {
        var result = ""
        for value in values {
            if value == .error { return .error }
            if value == .undefined { return .undefined }
            guard let piece = text(value) else { return .error }
            result += piece
        }
        return .string(result)
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

    /// toUpper/toLower: ASCII letters only, like C's `toupper` in the C locale.
    private static func mapASCII(_ value: ClassAdValue, _ transform: (UInt8) -> UInt8) -> ClassAdValue {
        switch value {
        case .undefined, .error: value
        case .string(let s): .string(String(decoding: s.utf8.map(transform), as: UTF8.self))
        default: .error
        }
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

    /// `real(x)`: numbers, booleans and numeric strings (including `NaN`, `INF`, `-INF`).
    private static func real(_ value: ClassAdValue) -> ClassAdValue {
        switch value {
        case .undefined, .error, .real: value
        case .integer(let i): .real(Double(i))
        case .boolean(let b): .real(b ? 1 : 0)
        case .string(let s): parseReal(s).map(ClassAdValue.real) ?? .error
        default: .error
        }
    }

    /// `int(x)`: reals truncated toward zero (clamped to the integer range), booleans
    /// 0/1, numeric strings.
    private static func int(_ value: ClassAdValue) -> ClassAdValue {
        switch value {
        case .undefined, .error, .integer: return value
        case .boolean(let b): return .integer(b ? 1 : 0)
        case .real(let r): return truncate(r)
        case .string(let s):
            let trimmed = trim(s)
            if let i = Int(trimmed) { return .integer(i) }
            return parseReal(trimmed).map(truncate) ?? .error
        default: return .error
        }
    }

    private static func truncate(_ r: Double) -> ClassAdValue {
        if r.isNaN { return .error }
        if r >= 9.223372036854775807e18 { return .integer(.max) }
        if r <= -9.223372036854775808e18 { return .integer(.min) }
        return .integer(Int(r))
    }

    private static func parseReal(_ s: String) -> Double? {
        Double(trim(s))
    }

    private static func trim(_ s: String) -> String {
        var bytes = s.utf8[...]
        while let f = bytes.first, Lexer.isSpace(f) { bytes = bytes.dropFirst() }
        while let l = bytes.last, Lexer.isSpace(l) { bytes = bytes.dropLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
