/// Lookup-time expansion of `$(NAME)`, `$(NAME:default)`, `$ENV(NAME)` and `$ENV(NAME:default)`.
///
/// A reference to an undefined (or empty) name expands to its default, else to nothing, as in
/// HTCondor. A reference cycle (`A = $(B)`, `B = $(A)`) expands the repeated name to nothing
/// instead of recursing forever.
struct MacroExpander {
    let table: MacroTable
    let environment: [String: String]

    /// Nesting deeper than this is treated like a cycle; it bounds work on hostile input.
    private static let maximumDepth = 64

    /// Expands `text`, the value of `name` if it has one (so references back to it count as a cycle).
    func expand(_ text: String, of name: String? = nil) -> String {
        expand(text[...], visiting: Set(name.map { [$0.uppercased()] } ?? []), depth: 0)
    }

    private func expand(_ text: Substring, visiting: Set<String>, depth: Int) -> String {
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
                    output += fallback.map { expand($0, visiting: visiting, depth: depth + 1) } ?? ""
                } else {
                    output += expand(raw[...], visiting: visiting.union([key]), depth: depth + 1)
                }
            case .environment(let name, let fallback, _):
                if let value = environment[String(name)], !value.isEmpty {
                    output += value
                } else if let fallback, depth < Self.maximumDepth {
                    output += expand(fallback, visiting: visiting, depth: depth + 1)
                }
            }
        }
        return output
    }
}
