/// One piece of a configuration value: literal text or a macro reference.
///
/// Shared by lookup-time expansion and definition-time self-reference substitution so both agree
/// on what a reference is.
enum MacroSegment: Equatable {
    case literal(Substring)
    /// `$(NAME)` / `$(NAME:default)`; `text` is the reference as written.
    case macro(name: Substring, fallback: Substring?, text: Substring)
    /// `$ENV(NAME)` / `$ENV(NAME:default)`
    case environment(name: Substring, fallback: Substring?, text: Substring)
    /// `$INT(…)`, `$Fpn(…)`, …: `body` runs to the first `)`, as in HTCondor.
    case function(name: Substring, body: Substring, text: Substring)
}

enum MacroSyntax {
    /// Splits `text` into literals and references. Anything that is not a well-formed `$(NAME…)`,
    /// `$ENV(NAME…)` or function macro (`FunctionMacro.isName`) stays literal, and so does
    /// ClassAd `$$(…)`.
    static func segments(_ text: Substring) -> [MacroSegment] {
        var result: [MacroSegment] = []
        var literalStart = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            guard text[index] == "$" else {
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                // `$$(…)` is for ClassAd matching, not for the configuration.
                index = text.index(after: next)
                continue
            }
            guard let (segment, end) = reference(in: text, at: index) else {
                index = next
                continue
            }
            if literalStart < index { result.append(.literal(text[literalStart..<index])) }
            result.append(segment)
            index = end
            literalStart = end
        }
        if literalStart < text.endIndex { result.append(.literal(text[literalStart..<text.endIndex])) }
        return result
    }

    /// Whether `name` is usable as a configuration variable name.
    static func isName(_ name: some StringProtocol) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }
    }

    /// Parses the reference starting at `dollar`; returns it and the index after its `)`.
    private static func reference(in text: Substring, at dollar: Substring.Index) -> (MacroSegment, Substring.Index)? {
        var cursor = text.index(after: dollar)
        let word = text[cursor...].prefix { $0.isASCII && ($0.isLetter || $0 == "_") }
        let isEnvironment = word == "ENV"
        if !isEnvironment, FunctionMacro.isName(word) {
            let open = word.endIndex
            guard open < text.endIndex, text[open] == "(", let close = text[open...].firstIndex(of: ")") else { return nil }
            let end = text.index(after: close)
            return (.function(name: word, body: text[text.index(after: open)..<close], text: text[dollar..<end]), end)
        }
        if isEnvironment { cursor = word.endIndex }
        guard cursor < text.endIndex, text[cursor] == "(" else { return nil }
        let bodyStart = text.index(after: cursor)
        guard let close = matchingParenthesis(in: text, from: bodyStart) else { return nil }
        let body = text[bodyStart..<close]
        let name: Substring
        let fallback: Substring?
        if let colon = body.firstIndex(of: ":") {
            name = body[body.startIndex..<colon]
            fallback = body[body.index(after: colon)...]
        } else {
            name = body
            fallback = nil
        }
        guard isName(name) else { return nil }
        let end = text.index(after: close)
        let whole = text[dollar..<end]
        let segment: MacroSegment = isEnvironment
            ? .environment(name: name, fallback: fallback, text: whole)
            : .macro(name: name, fallback: fallback, text: whole)
        return (segment, end)
    }

    /// The `)` closing the `(` just before `start`, allowing nested references in defaults.
    private static func matchingParenthesis(in text: Substring, from start: Substring.Index) -> Substring.Index? {
        var depth = 0
        var index = start
        while index < text.endIndex {
            switch text[index] {
            case "(": depth += 1
            case ")":
                if depth == 0 { return index }
                depth -= 1
            default: break
            }
            index = text.index(after: index)
        }
        return nil
    }
}

/// Definition-time handling of `NAME = $(NAME) more`.
enum SelfReference {
    /// Replaces references to the name being defined by `previous(key)`. In a `SUBSYS.NAME`
    /// definition, `$(NAME)` counts as a self-reference too (it means the unprefixed value);
    /// otherwise the lookup would find the prefixed definition itself and loop.
    static func substitute(in value: String, definedName key: String, previous: (String) -> String) -> String {
        let unprefixed = key.split(separator: ".", maxSplits: 1).dropFirst().first.map(String.init)
        var output = ""
        var changed = false
        for segment in MacroSyntax.segments(value[...]) {
            switch segment {
            case .literal(let text), .environment(_, _, let text), .function(_, _, let text):
                output += text
            case .macro(let name, let fallback, let text):
                let referenced = name.uppercased()
                guard referenced == key || referenced == unprefixed else {
                    output += text
                    continue
                }
                let old = previous(referenced)
                output += old.isEmpty ? String(fallback ?? "") : old
                changed = true
            }
        }
        // An empty previous value must not leave the separator dangling: `X = $(X) a` is "a".
        return changed ? output.trimmed : value
    }
}
