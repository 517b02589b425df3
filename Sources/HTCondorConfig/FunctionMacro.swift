#if canImport(Glibc)
    import Glibc
#endif

/// HTCondor's function macros: `$INT`, `$REAL`, `$STRING`, `$EVAL`, `$SUBSTR`, `$CHOICE`,
/// `$RANDOM_CHOICE`, `$RANDOM_INTEGER`, `$DIRNAME`, `$BASENAME` and `$F[pdnxbqauwf]`.
///
/// Names are case-sensitive, as in HTCondor (`$Int(…)` is literal text). An argument naming a
/// defined macro stands for its expanded value, otherwise for itself. A failure (a `$INT` of
/// something that is not a number, a `$CHOICE` index out of range) is reported, and the gahp
/// refuses a knob it reads whose value has one, where HTCondor would stop with the same error.
enum FunctionMacro {
    static func isName(_ word: Substring) -> Bool {
        switch word {
        case "INT", "REAL", "STRING", "EVAL", "SUBSTR", "CHOICE", "RANDOM_CHOICE", "RANDOM_INTEGER", "DIRNAME",
            "BASENAME":
            true
        default:
            word.first == "F" && word.dropFirst().allSatisfy { "fpdnxbqauw".contains($0) }
        }
    }

    struct Failure: Error {
        let message: String
    }

    /// The value of `$name(body)`; `argument` resolves a macro name or expands literal text.
    static func evaluate(
        _ name: Substring, body: Substring, argument: (Substring) -> String?, expand: (Substring) -> String
    ) throws(Failure) -> String {
        func value(_ text: Substring) -> String { argument(text) ?? expand(text) }
        let (first, format) = splitFormat(body)
        switch name {
        case "INT":
            let text = value(first)
            guard let number = ConfigValue.integer(text) ?? Self.real(text).map({ Int($0) }) else {
                throw Failure(message: "$INT(): '\(text)' is not an integer")
            }
            return try formatted(format ?? "%d", integer: number)
        case "REAL":
            let text = value(first)
            guard let number = Self.real(text) else { throw Failure(message: "$REAL(): '\(text)' is not a number") }
            return try formatted(format ?? "%.16G", real: number)
        case "STRING":
            let text = ConfigValue.unquoted(value(first).trimmed)
            guard let format else { return text }
            let pieces = format.split(separator: "%s", omittingEmptySubsequences: false)
            guard pieces.count == 2, !pieces.joined().contains("%") else {
                throw Failure(message: "$STRING(): unsupported format '\(format)'")
            }
            return pieces[0] + text + pieces[1]
        case "EVAL":
            return try evaluated(argument(body).map { $0.trimmed })
        case "SUBSTR":
            return try substring(body, argument: argument, value: value)
        case "CHOICE":
            return try choice(body, value: value, argument: argument)
        case "RANDOM_CHOICE":
            let items = body.split(separator: ",").map(\.trimmed)
            guard let item = items.randomElement() else { throw Failure(message: "$RANDOM_CHOICE() of nothing") }
            return item
        case "RANDOM_INTEGER":
            let numbers = body.split(separator: ",").map { ConfigValue.integer(value($0)) }
            guard numbers.count >= 2, let low = numbers[0], let high = numbers[1], low <= high,
                let step = numbers.count > 2 ? numbers[2] : 1, step > 0
            else { throw Failure(message: "$RANDOM_INTEGER(): needs min, max[, step] with min <= max") }
            return String(low + step * Int.random(in: 0...((high - low) / step)))
        case "DIRNAME":
            return FilePath(value(body)).render(letters: "p")
        case "BASENAME":
            return FilePath(value(body)).render(letters: "nx")
        default:
            return FilePath(value(body)).render(letters: String(name.dropFirst()))
        }
    }

    /// `ARG, FORMAT`: the format is everything after the first comma, spaces included.
    private static func splitFormat(_ body: Substring) -> (Substring, String?) {
        guard let comma = body.firstIndex(of: ",") else { return (body, nil) }
        return (body[..<comma], String(body[body.index(after: comma)...]))
    }

    private static func real(_ text: String) -> Double? {
        if let integer = ConfigValue.integer(text) { return Double(integer) }
        return Double(text.trimmed)
    }

    /// `$EVAL` of what the gahp can evaluate without a ClassAd context: numbers, integer
    /// arithmetic and string literals; an undefined name is `undefined`, as in HTCondor.
    private static func evaluated(_ text: String?) throws(Failure) -> String {
        guard let text, !text.isEmpty else { return "undefined" }
        if let integer = ConfigValue.integer(text) { return String(integer) }
        if text.count >= 2, text.hasPrefix("\""), text.hasSuffix("\""), !text.dropFirst().dropLast().contains("\"") {
            return String(text.dropFirst().dropLast())
        }
        if let real = Double(text) { return try formatted("%.15E", real: real) }
        throw Failure(message: "$EVAL(): the gahp evaluates only numbers and string literals, not '\(text)'")
    }

    private static func substring(
        _ body: Substring, argument: (Substring) -> String?, value: (Substring) -> String
    ) throws(Failure) -> String {
        let parts = body.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, let start = ConfigValue.integer(value(parts[1])) else {
            throw Failure(message: "$SUBSTR(): needs NAME, START[, LENGTH]")
        }
        let text = Array(argument(parts[0]) ?? "")
        var from = start < 0 ? max(0, text.count + start) : start
        guard from < text.count else { return "" }
        var to = text.count
        if parts.count > 2 {
            guard let length = ConfigValue.integer(value(parts[2])) else { throw Failure(message: "$SUBSTR(): bad length") }
            to = length < 0 ? text.count + length : min(text.count, from + length)
        }
        from = min(from, to)
        return String(text[from..<max(from, to)])
    }

    private static func choice(
        _ body: Substring, value: (Substring) -> String, argument: (Substring) -> String?
    ) throws(Failure) -> String {
        let parts = body.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count >= 2, let index = ConfigValue.integer(value(parts[0])) else {
            throw Failure(message: "$CHOICE(): needs INDEX, LIST")
        }
        let items = parts.count == 2 && argument(parts[1]) != nil
            ? (argument(parts[1]) ?? "").split(separator: ",").map(\.trimmed)
            : parts.dropFirst().map(\.trimmed)
        guard items.indices.contains(index) else { throw Failure(message: "$CHOICE(): index \(index) is out of range") }
        return items[index]
    }

    /// A printf conversion of one number: `%[flags][width][.precision]d` (or `i`) for `$INT`,
    /// `e`/`f`/`g` (either case) for `$REAL`, with any text around it.
    private static func formatted(_ format: String, integer: Int) throws(Failure) -> String {
        try checkedFormat(format, conversions: "di")
        return printf(format) { buffer, size, format in withVaList([integer]) { vsnprintf(buffer, size, format, $0) } }
    }

    private static func formatted(_ format: String, real: Double) throws(Failure) -> String {
        try checkedFormat(format, conversions: "eEfFgG")
        return printf(format) { buffer, size, format in withVaList([real]) { vsnprintf(buffer, size, format, $0) } }
    }

    /// Exactly one conversion, of the allowed kinds, so no format reads arguments it was not given.
    private static func checkedFormat(_ format: String, conversions: String) throws(Failure) {
        let characters = Array(format)
        var count = 0
        var index = 0
        while index < characters.count {
            defer { index += 1 }
            guard characters[index] == "%" else { continue }
            if index + 1 < characters.count, characters[index + 1] == "%" {
                index += 1
                continue
            }
            index += 1
            while index < characters.count, "-+ #0123456789.".contains(characters[index]) { index += 1 }
            guard index < characters.count, conversions.contains(characters[index]) else {
                throw Failure(message: "unsupported format '\(format)'")
            }
            count += 1
        }
        guard count == 1 else { throw Failure(message: "the format '\(format)' needs exactly one conversion") }
    }

    private static func printf(
        _ format: String, _ body: (UnsafeMutablePointer<CChar>, Int, UnsafePointer<CChar>) -> Int32
    ) -> String {
        let wide = format.widenedIntegerConversions
        var buffer = [CChar](repeating: 0, count: 512)
        let written = wide.withCString { body(&buffer, buffer.count, $0) }
        guard written >= 0 else { return "" }
        return String(decoding: buffer.prefix(min(Int(written), buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// The pieces of a path `$F…` picks: `p` directory (with its `/`), `d` last directory, `n` name
/// without extension, `x` extension (with its `.`), `b` drops the `/` of `d` or the `.` of
/// `x`, `q`/`qa` quote, `u`/`w` turn separators into `/` or `\` first; no piece: the path.
private struct FilePath {
    let text: String

    init(_ text: String) { self.text = text }

    func render(letters: String) -> String {
        var path = text
        if letters.contains("u") { path = path.map { $0 == "\\" ? "/" : String($0) }.joined() }
        if letters.contains("w") { path = path.map { $0 == "/" ? "\\" : String($0) }.joined() }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let file = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let dot = file.lastIndex(of: ".").flatMap { $0 == file.startIndex ? nil : $0 }
        let stem = dot.map { String(file[..<$0]) } ?? file
        let ext = dot.map { String(file[$0...]) } ?? ""
        let bare = letters.contains("b")
        var result = ""
        if letters.contains("p") {
            result += directory
        } else if letters.contains("d") {
            let parent = directory.dropLast().lastIndex(of: "/").map { directory[directory.index(after: $0)...] }
            var last = String(parent ?? Substring(directory))
            if last.isEmpty && directory == "/" { last = "/" }
            result += bare && last.count > 1 ? String(last.dropLast()) : last
        }
        if letters.contains("n") { result += stem }
        if letters.contains("x") { result += bare ? String(ext.dropFirst()) : ext }
        if !"pdnx".contains(where: letters.contains) { result = path }
        if letters.contains("q") {
            let quote = letters.contains("a") ? "'" : "\""
            result = quote + result + quote
        }
        return result
    }
}

extension String {
    /// `%d`/`%i` as `%ld`/`%li`: a Swift Int is 64 bits, and vsnprintf must read all of it.
    fileprivate var widenedIntegerConversions: String {
        var output = ""
        var inDirective = false
        for character in self {
            if inDirective && (character == "d" || character == "i") {
                output += "l"
                inDirective = false
            } else if character == "%" {
                inDirective.toggle()
            } else if inDirective && !"-+ #0123456789.".contains(character) {
                inDirective = false
            }
            output.append(character)
        }
        return output
    }
}
