import FoundationEssentials

/// Reads configuration files into a `MacroTable`, one file at a time, in the order the loader
/// asks for. Keeps the list of files read and the warnings (`warning :` lines, missing optional
/// files, …) for the caller.
struct ConfigFileReader {
    var table: MacroTable
    let environment: [String: String]
    var filesRead: [String] = []
    var warnings: [String] = []
    /// The templates `use` lines named, in order (they set nothing the gahp reads: `Metaknobs`).
    var metaknobs: [Metaknobs.Use] = []
    /// What `if version` compares against, found on first use (`HTCondorVersion`).
    private(set) var version: HTCondorVersion?

    /// HTCondor stops somewhere around here too; it catches include cycles.
    private static let maximumIncludeDepth = 20

    init(table: MacroTable, environment: [String: String]) {
        self.table = table
        self.environment = environment
    }

    var expander: MacroExpander { MacroExpander(table: table, environment: environment) }

    /// Reads one file. `ifExists` turns a missing file into a no-op (for `include ifexist`).
    mutating func read(file path: String, ifExists: Bool = false, depth: Int = 0) throws(ConfigError) {
        switch FileKind(path) {
        case .missing:
            if ifExists { return }
            throw ConfigError(file: path, message: "configuration file does not exist")
        case .directory:
            throw ConfigError(file: path, message: "configuration file is a directory")
        case .other:
            break
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, message: "configuration file cannot be read")
        }
        filesRead.append(path)
        try parse(String(decoding: data, as: UTF8.self), file: path, depth: depth)
    }

    /// Parses the text of one file. `if` blocks must be closed in the file that opens them.
    mutating func parse(_ text: String, file: String, depth: Int) throws(ConfigError) {
        var lines = PhysicalLines(text)
        var conditionals = ConditionalStack()
        while let (number, line) = lines.nextLogical() {
            let trimmed = line.trimmed
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fail = { (message: String) in ConfigError(file: file, line: number, message: message) }

            if let directive = ConditionalDirective(trimmed) {
                try conditionals.apply(directive, line: number, fail: fail) { condition throws(ConfigError) in
                    try evaluate(condition, fail: fail)
                }
                continue
            }
            // A `[Section]` header (one word opening a bracket, no `=`) is ignored, as in HTCondor.
            if trimmed.hasPrefix("["), !trimmed.contains("="), !trimmed.contains(where: \.isWhitespace) { continue }
            // A multi-line value's body is consumed even in a skipped branch, or its lines
            // would be parsed as configuration.
            if let (name, tag) = multiLineStart(trimmed) {
                guard let body = lines.collect(until: "@" + tag) else {
                    throw fail("no closing '@\(tag)' for the multi-line value of \(name)")
                }
                if conditionals.isActive { try define(name, body, file: file, line: number, fail: fail) }
                continue
            }
            guard conditionals.isActive else { continue }
            try interpret(trimmed, file: file, line: number, depth: depth, fail: fail)
        }
        if let open = conditionals.unclosedLine {
            throw ConfigError(file: file, line: open, message: "'if' without a matching 'endif'")
        }
    }

    private mutating func interpret(
        _ line: String, file: String, line number: Int, depth: Int, fail: (String) -> ConfigError
    ) throws(ConfigError) {
        let keyword = line.prefix { !$0.isWhitespace && $0 != ":" && $0 != "=" }.lowercased()
        let rest = line.dropFirst(keyword.count).trimmed
        if !rest.hasPrefix("=") {
            switch keyword {
            case "include", "@include":
                try include(rest, from: file, depth: depth, fail: fail)
                return
            case "use":
                do {
                    metaknobs += try Metaknobs.parse(rest)
                } catch {
                    throw fail(error.message)
                }
                return
            case "error" where rest.hasPrefix(":"), "warning" where rest.hasPrefix(":"):
                let message = expander.expand(String(rest.dropFirst()).trimmed)
                if keyword == "error" { throw fail(message) }
                warnings.append("\(file), line \(number): \(message)")
                return
            default:
                break
            }
        }
        guard let equals = line.firstIndex(of: "=") else {
            throw fail("expected 'NAME = value', found '\(line)'")
        }
        try define(
            line[..<equals].trimmed,
            line[line.index(after: equals)...].trimmed,
            file: file, line: number, fail: fail)
    }

    private mutating func define(
        _ name: String, _ value: String, file: String, line: Int, fail: (String) -> ConfigError
    ) throws(ConfigError) {
        guard MacroSyntax.isName(name) else { throw fail("'\(name)' is not a valid configuration name") }
        table.define(name, value: value, origin: .file(file, line: line))
    }

    /// `include [ifexist] : PATH`. A relative path is taken relative to the including file.
    private mutating func include(
        _ arguments: String, from file: String, depth: Int, fail: (String) -> ConfigError
    ) throws(ConfigError) {
        guard let colon = arguments.firstIndex(of: ":") else {
            throw fail("expected 'include : FILE' or 'include ifexist : FILE'")
        }
        let options = arguments[..<colon].lowercased().split(whereSeparator: \.isWhitespace)
        if options.contains("command") {
            throw fail("'include command' is not supported: the gahp does not run commands from its configuration")
        }
        guard options.allSatisfy({ $0 == "ifexist" }) else {
            throw fail("unknown include option '\(options.joined(separator: " "))'")
        }
        let target = expander.expand(arguments[arguments.index(after: colon)...].trimmed)
        guard !target.isEmpty else { throw fail("include names no file") }
        guard depth < Self.maximumIncludeDepth else { throw fail("includes nested too deeply (a cycle?)") }
        let path = target.hasPrefix("/")
            ? target : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(target).path
        try read(file: path, ifExists: !options.isEmpty, depth: depth + 1)
    }

    /// `NAME @=TAG` opens a multi-line value closed by a line `@TAG`.
    private func multiLineStart(_ line: String) -> (name: String, tag: String)? {
        guard let equals = line.firstIndex(of: "=") else { return nil }
        let left = line[..<equals].trimmed
        guard left.hasSuffix("@") else { return nil }
        let tag = line[line.index(after: equals)...].trimmed
        guard !tag.isEmpty, !tag.contains(where: \.isWhitespace) else { return nil }
        return (String(left.dropLast()).trimmed, tag)
    }

    /// HTCondor's simple conditions (`ConditionEvaluator`), refused with HTCondor's reasons.
    /// The version is looked up when a `version` condition is first evaluated, then kept.
    private mutating func evaluate(_ condition: String, fail: (String) -> ConfigError) throws(ConfigError) -> Bool {
        let (table, expander, environment) = (self.table, self.expander, self.environment)
        var found = version
        let evaluator = ConditionEvaluator(
            expand: { expander.expand($0) },
            lookup: { table.lookup($0)?.value },
            version: {
                let known = found ?? Self.discoverVersion(table: table, expander: expander, environment: environment)
                found = known
                return known
            })
        defer { version = found }
        do {
            return try evaluator.evaluate(condition)
        } catch {
            throw fail("'\(condition)' is not a valid condition: \(error.reason)")
        }
    }

    /// `HTCondorVersion`'s order: the knob (environment first, as it would win there), then the
    /// installed HTCondor's library, then the fallback.
    private static func discoverVersion(
        table: MacroTable, expander: MacroExpander, environment: [String: String]
    ) -> HTCondorVersion {
        let knob = HTCondorVersion.knob
        let setting = environment.first { $0.key.uppercased() == "_CONDOR_" + knob }?.value
            ?? table.lookup(knob).map { expander.expand($0.value, of: knob) }
        if let setting, let version = HTCondorVersion(setting) { return version }
        let configured = ["$(LIB)", "$(RELEASE_DIR)/lib", "$(RELEASE_DIR)/lib64"].map { expander.expand($0) }
        return HTCondorVersion.installed(in: configured + HTCondorVersion.systemLibraryDirectories) ?? .fallback
    }
}
