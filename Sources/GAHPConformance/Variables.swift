/// Named values a case refers to as `${name}`: the runner's own (`workdir`, `pid`,
/// `cases`), those a case sets, and those captured from the gahp's output.
public struct Variables: Sendable, Equatable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String] = [:]) {
        self.values = values
    }

    public subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public mutating func merge(_ other: [String: String]) {
        values.merge(other) { _, new in new }
    }

    /// Replaces each `${name}`; `$` not followed by `{` is kept (the greeting contains `$`).
    /// An unknown name is an error so that a typo cannot silently send an empty string.
    public func expand(_ text: String, quote: (String) -> String = { $0 }) throws(TranscriptError) -> String {
        var out = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            out += rest[..<dollar]
            let after = rest.index(after: dollar)
            guard after < rest.endIndex, rest[after] == "{",
                  let close = rest[after...].firstIndex(of: "}")
            else {
                out.append("$")
                rest = rest[after...]
                continue
            }
            let name = String(rest[rest.index(after: after)..<close])
            guard let value = values[name] else {
                throw TranscriptError(line: 0, message: "unknown variable ${\(name)}")
            }
            out += quote(value)
            rest = rest[rest.index(after: close)...]
        }
        out += rest
        return out
    }
}

/// A transcript that cannot be read or a reference that cannot be resolved.
public struct TranscriptError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based line in the transcript; 0 when not tied to a line.
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "line \(line): \(message)" : message }
}
