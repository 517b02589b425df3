/// Lookup-time expansion of `$(NAME)`, `$(NAME:default)`, `$ENV(NAME[:default])` and the
/// function macros (`FunctionMacro`).
///
/// A reference to an undefined (or empty) name expands to its default, else to nothing, as in
/// HTCondor; an unset environment variable without a default expands to `UNDEFINED`, as in
/// HTCondor. A reference cycle (`A = $(B)`, `B = $(A)`) expands the repeated name to nothing
/// instead of recursing forever.
struct MacroExpander {
    let table: MacroTable
    let environment: [String: String]

    /// Nesting deeper than this is treated like a cycle; it bounds work on hostile input.
    private static let maximumDepth = 64

    /// Expands `text`, the value of `name` if it has one (so references back to it count as a cycle).
    /// A function macro that fails expands to nothing.
    func expand(_ text: String, of name: String? = nil) -> String {
        expand(text[...], visiting: Self.visiting(name), depth: 0, failures: Failures())
    }

    /// Like `expand`, but a failing function macro is an error.
    func checkedExpand(_ text: String, of name: String? = nil) throws(FunctionMacro.Failure) -> String {
        let failures = Failures()
        let value = expand(text[...], visiting: Self.visiting(name), depth: 0, failures: failures)
        if let first = failures.messages.first { throw FunctionMacro.Failure(message: first) }
        return value
    }

    /// The function-macro failures met during one expansion.
    private final class Failures {
        var messages: [String] = []
    }

    private static func visiting(_ name: String?) -> Set<String> {
        Set(name.map { [$0.uppercased()] } ?? [])
    }

    private func expand(_ text: Substring, visiting: Set<String>, depth: Int, failures: Failures) -> String {
        guard text.contains("$") else { return String(text) }
        var output = ""
        for segment in MacroSyntax.segments(text) {
            switch segment {
            case .literal(let literal):
                output += literal
            case .macro(let name, let fallback, _):
                let key = name.uppercased()
                guard !visiting.contains(key), depth < Self.maximumDepth else { continue }
                let raw = table.lookup(key)?.value ?? ""
                if raw.isEmpty {
                    if let fallback { output += expand(fallback, visiting: visiting, depth: depth + 1, failures: failures) }
                } else {
                    output += expand(raw[...], visiting: visiting.union([key]), depth: depth + 1, failures: failures)
                }
            case .environment(let name, let fallback, _):
                if let value = environment[String(name)], !value.isEmpty {
                    output += value
                } else if let fallback, depth < Self.maximumDepth {
                    output += expand(fallback, visiting: visiting, depth: depth + 1, failures: failures)
                } else {
                    output += "UNDEFINED"
                }
            case .function(let name, let body, _):
                guard depth < Self.maximumDepth else { continue }
                let argument = { (text: Substring) -> String? in
                    let key = text.uppercased()
                    guard MacroSyntax.isName(text), !visiting.contains(key), let raw = table.lookup(key)?.value else {
                        return nil
                    }
                    return expand(raw[...], visiting: visiting.union([key]), depth: depth + 1, failures: failures)
                }
                let literal = { (text: Substring) in expand(text, visiting: visiting, depth: depth + 1, failures: failures) }
                do {
                    output += try FunctionMacro.evaluate(name, body: body, argument: argument, expand: literal)
                } catch {
                    failures.messages.append(error.message)
                }
            }
        }
        return output
    }
}
