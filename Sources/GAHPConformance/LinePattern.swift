/// What one expected output line must look like.
///
/// Patterns keep their source text and are compiled only when the step runs, after
/// `${name}` references (such as a vm id captured earlier) have been expanded.
public enum LinePattern: Sendable, Equatable, CustomStringConvertible {
    /// The whole line, byte for byte.
    case exact(String)
    /// A regular expression that must match the whole line; named groups
    /// (`(?<vm>\d+)`) become variables.
    case regex(String)

    public var description: String {
        switch self {
        case .exact(let text): return "`\(text)`"
        case .regex(let source): return "/\(source)/"
        }
    }

    /// The pattern with its variables filled in, for failure messages.
    public func expanded(_ variables: Variables) -> LinePattern {
        switch self {
        case .exact(let text): return .exact((try? variables.expand(text)) ?? text)
        case .regex(let source): return .regex((try? variables.expand(source, quote: escapeForRegex)) ?? source)
        }
    }

    /// Expands variables and tests `line`; on success returns the named captures.
    ///
    /// Values substituted into a regex are matched literally, so a captured id that
    /// happens to contain regex syntax cannot change the pattern's meaning.
    public func match(_ line: String, variables: Variables) throws(TranscriptError) -> [String: String]? {
        switch self {
        case .exact(let text):
            return try variables.expand(text) == line ? [:] : nil
        case .regex(let source):
            let expanded = try variables.expand(source, quote: escapeForRegex)
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(expanded)
            } catch {
                throw TranscriptError(line: 0, message: "bad regex /\(expanded)/: \(error)")
            }
            guard let found = try? regex.wholeMatch(in: line) else { return nil }
            var captures: [String: String] = [:]
            for element in found.output {
                if let name = element.name, let range = element.range {
                    captures[name] = String(line[range])
                }
            }
            return captures
        }
    }
}

/// Backslash-escapes every character with a meaning in regex syntax.
func escapeForRegex(_ text: String) -> String {
    var out = ""
    for character in text {
        if "\\^$.|?*+()[]{}/-".contains(character) { out.append("\\") }
        out.append(character)
    }
    return out
}
