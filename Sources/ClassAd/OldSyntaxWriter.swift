#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes expressions and values in old ClassAd syntax, byte for byte as HTCondor's
/// unparser does in that mode, so that an ad we pass on (to `LIBVIRT_XML_SCRIPT`, to a
/// log) reads exactly like one HTCondor wrote.
enum OldSyntaxWriter {
    static func write(_ expression: Expression, into out: inout String) {
        switch expression {
        case .literal(let literal):
            write(literal, into: &out)
        case .attribute(let name, let absolute):
            if absolute { out += "." }
            writeName(name, into: &out)
        case .select(let base, let name):
            write(base, into: &out)
            out += "."
            writeName(name, into: &out)
        case .unary(let op, let operand):
            out += op.spelling
            write(operand, into: &out)
        case .binary(let op, let left, let right):
            write(left, into: &out)
            out += op.spelling
            write(right, into: &out)
        case .ternary(let condition, let whenTrue, let whenFalse):
            write(condition, into: &out)
            out += " ? "
            write(whenTrue, into: &out)
            out += " : "
            write(whenFalse, into: &out)
        case .elvis(let value, let fallback):
            write(value, into: &out)
            out += " ?: "
            write(fallback, into: &out)
        case .parenthesized(let inner):
            out += "("
            write(inner, into: &out)
            out += ")"
        case .subscripted(let base, let index):
            write(base, into: &out)
            out += "["
            write(index, into: &out)
            out += "]"
        case .call(let name, let arguments):
            out += name
            writeSeparated(arguments, between: "(", and: ")", into: &out)
        case .list(let items):
            writeSeparated(items, between: "{ ", and: " }", into: &out)
        case .record(let ad):
            writeRecord(ad, into: &out)
        }
    }

    /// Comma-separated expressions between two delimiters, as HTCondor writes calls and lists.
    private static func writeSeparated(_ items: [Expression], between open: String, and close: String, into out: inout String) {
        out += open
        for (i, item) in items.enumerated() {
            if i > 0 { out += "," }
            write(item, into: &out)
        }
        out += close
    }

    /// Writes a value, stopping (and returning false) once `out` holds more than `limit`
    /// bytes: a value can share its parts, so a small ad can evaluate to a list whose
    /// text would be exponentially long.
    static func write(_ value: ClassAdValue, into out: inout String, limit: Int) -> Bool {
        guard out.utf8.count <= limit else { return false }
        switch value {
        case .undefined: write(Expression.Literal.undefined, into: &out)
        case .error: write(Expression.Literal.error, into: &out)
        case .boolean(let b): write(Expression.Literal.boolean(b), into: &out)
        case .integer(let i): write(Expression.Literal.integer(i), into: &out)
        case .real(let r): write(Expression.Literal.real(r), into: &out)
        case .string(let s): write(Expression.Literal.string(s), into: &out)
        case .classAd(let ad): writeRecord(ad, into: &out)
        case .list(let items):
            out += "{ "
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                guard write(item, into: &out, limit: limit) else { return false }
            }
            out += " }"
        }
        return out.utf8.count <= limit
    }

    private static func write(_ literal: Expression.Literal, into out: inout String) {
        switch literal {
        case .undefined: out += "undefined"
        case .error: out += "error"
        case .boolean(let b): out += b ? "true" : "false"
        case .integer(let i): out += String(i)
        case .real(let r): out += formatReal(r)
        case .string(let s): writeString(s, into: &out)
        }
    }

    /// `[ a = 1; b = 2 ]`
    private static func writeRecord(_ ad: ClassAd, into out: inout String) {
        out += "[ "
        for (i, entry) in ad.entries.enumerated() {
            if i > 0 { out += "; " }
            writeName(entry.name, into: &out)
            out += " = "
            write(entry.expression, into: &out)
        }
        out += " ]"
    }

    /// Only the delimiter is escaped in old syntax; backslashes and control characters
    /// are written as they are.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            if scalar == "\"" { out += "\\\"" } else { out.unicodeScalars.append(scalar) }
        }
        out += "\""
    }

    /// An attribute name, in single quotes when it is not a plain identifier or is a
    /// reserved word (only names from `'quoted'` references can be either).
    static func writeName(_ name: String, into out: inout String) {
        guard needsQuoting(name) else {
            out += name
            return
        }
        out += "'"
        for scalar in name.unicodeScalars {
            if scalar == "'" { out += "\\'" } else { out.unicodeScalars.append(scalar) }
        }
        out += "'"
    }

    private static func needsQuoting(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, Lexer.isIdentifierHead(first) else { return true }
        if bytes.contains(where: { !(Lexer.isIdentifierHead($0) || Lexer.isDigit($0)) }) { return true }
        return ["true", "false", "undefined", "error", "is", "isnt"].contains(name.lowercased())
    }

    /// `%.16G`, with `.0` added when that looks like an integer; zero as `0.0`/`-0.0`;
    /// non-finite values as the `real("...")` calls that read back as them.
    static func formatReal(_ value: Double) -> String {
        if value.isNaN { return "real(\"NaN\")" }
        if value.isInfinite { return value < 0 ? "real(\"-INF\")" : "real(\"INF\")" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        var text = printf("%.16G", value)
        if !text.utf8.contains(where: { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }) {
            text += ".0"
        }
        return text
    }

    /// New-syntax real formatting (`%1.15E`), which HTCondor uses when a function
    /// converts a real to a string (`strcat("x", 2.5)` is `x2.500000000000000E+00`).
    static func formatRealNewSyntax(_ value: Double) -> String {
        if !value.isFinite || value == 0 { return formatReal(value) }
        return printf("%1.15E", value)
    }

    private static func printf(_ format: String, _ value: Double) -> String {
        // %.16G of a finite double is at most 24 characters.
        var buffer = [CChar](repeating: 0, count: 64)
        let count = withVaList([value]) { arguments in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, $0.count, format, arguments) }
        }
        let length = max(0, min(Int(count), buffer.count - 1))
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
