/// Where a definition came from, so errors about its value can point at it.
struct Origin: Sendable, Equatable {
    /// A file path, or nil for the environment and built-in defaults.
    var file: String?
    var line: Int?
    /// How the origin reads in messages.
    var label: String

    static let environment = Origin(file: nil, line: nil, label: "environment")
    static let builtIn = Origin(file: nil, line: nil, label: "built-in default")

    static func file(_ path: String, line: Int) -> Origin {
        Origin(file: path, line: line, label: "\(path), line \(line)")
    }
}

/// The raw (unexpanded) definitions, keyed by upper-cased name, plus the built-in defaults.
///
/// Names are case-insensitive in HTCondor; upper-casing once on insert and lookup keeps that
/// in one place.
struct MacroTable: Sendable {
    struct Definition: Sendable {
        var value: String
        var origin: Origin
    }

    let subsystem: String
    private(set) var definitions: [String: Definition] = [:]
    let defaults: [String: String]

    init(subsystem: String, defaults: [String: String]) {
        self.subsystem = subsystem.uppercased()
        self.defaults = Dictionary(uniqueKeysWithValues: defaults.map { ($0.key.uppercased(), $0.value) })
    }

    /// Defines `name`, replacing self-references (`$(NAME)`) by the previous raw value the way
    /// HTCondor does at definition time, so `X = $(X) more` appends instead of looping.
    mutating func define(_ name: String, value: String, origin: Origin) {
        let key = name.uppercased()
        let resolved = SelfReference.substitute(in: value, definedName: key) { referenced in
            rawDefinition(exactly: referenced)?.value ?? ""
        }
        definitions[key] = Definition(value: resolved, origin: origin)
    }

    /// The definition a lookup of `name` sees: `SUBSYS.NAME` before `NAME`, files and environment
    /// before built-in defaults.
    func lookup(_ name: String) -> Definition? {
        let key = name.uppercased()
        if !key.contains("."), let prefixed = definitions["\(subsystem).\(key)"] {
            return prefixed
        }
        return rawDefinition(exactly: key)
    }

    /// The definition of exactly this key (no subsystem prefix applied), falling back to defaults.
    private func rawDefinition(exactly key: String) -> Definition? {
        if let defined = definitions[key] { return defined }
        if let value = defaults[key] { return Definition(value: value, origin: .builtIn) }
        return nil
    }

    /// An error about the value of `name`, located at the definition a lookup sees.
    func error(_ message: String, about name: String) -> ConfigError {
        let origin = lookup(name)?.origin
        return ConfigError(file: origin?.file, line: origin?.line, message: "\(name): \(message)")
    }
}
