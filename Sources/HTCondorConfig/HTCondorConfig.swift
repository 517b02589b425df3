/// HTCondor's configuration as the gahp (subsystem `VM_GAHP`) sees it.
///
/// Loading reads every source once into raw definitions; macros are expanded at lookup, as in
/// HTCondor, so a value always reflects the final definitions of the names it refers to.
/// A reload (SIGHUP) is simply another `load`: the value has no hidden state to reset.
///
/// Where HTCondor's behaviour is a choice, this follows HTCondor:
/// - source order is main file, `LOCAL_CONFIG_DIR`, `LOCAL_CONFIG_FILE`, environment (see
///   `ConfigLoader`); a lookup prefers `VM_GAHP.NAME` over `NAME` whatever their sources, so a
///   file's `VM_GAHP.NAME` beats `_CONDOR_NAME` (use `_CONDOR_VM_GAHP.NAME` to override it);
/// - `#` starts a comment only at the start of a line; names are case-insensitive;
/// - an undefined (or empty) macro expands to its `:default`, else to nothing;
/// - `include command`, command-generated `LOCAL_CONFIG_FILE`, `if version …` and ClassAd
///   conditions are refused with an error naming file and line, never guessed at; `use`
///   metaknobs are ignored with a warning (they set nothing the gahp reads).
public struct HTCondorConfig: Sendable {
    private let table: MacroTable
    private let environment: [String: String]
    /// The files read, in order (includes and local files too).
    public let filesRead: [String]
    /// Things read but not honoured (metaknobs, missing optional files), for the log.
    public let warnings: [String]

    /// Reads the configuration.
    ///
    /// - Parameters:
    ///   - environment: the process environment: `CONDOR_CONFIG`, `_CONDOR_*` overrides and `$ENV()`.
    ///   - subsystem: names `SUBSYS.NAME` definitions that win over `NAME`.
    ///   - defaultConfigPath: read when `CONDOR_CONFIG` is unset (tests point it into a temp dir).
    public static func load(
        environment: [String: String], subsystem: String = "VM_GAHP",
        defaultConfigPath: String = "/etc/condor/condor_config"
    ) throws(ConfigError) -> HTCondorConfig {
        let reader = try ConfigLoader.load(
            environment: environment, subsystem: subsystem, defaultConfigPath: defaultConfigPath)
        return HTCondorConfig(
            table: reader.table, environment: environment, filesRead: reader.filesRead, warnings: reader.warnings)
    }

    private init(table: MacroTable, environment: [String: String], filesRead: [String], warnings: [String]) {
        self.table = table
        self.environment = environment
        self.filesRead = filesRead
        self.warnings = warnings
    }

    public var subsystem: String { table.subsystem }

    /// The expanded value; nil when unset or empty, which HTCondor treats alike.
    public func value(_ name: String) -> String? {
        guard let raw = table.lookup(name)?.value else { return nil }
        let expanded = MacroExpander(table: table, environment: environment).expand(raw, of: name)
        return expanded.allSatisfy(\.isWhitespace) ? nil : expanded
    }

    /// `true`/`false`/`yes`/`no`/`t`/`f` or an integer; `default` when unset or unreadable.
    public func bool(_ name: String, default fallback: Bool) -> Bool {
        value(name).flatMap { ConfigValue.boolean($0.trimmed) } ?? fallback
    }

    /// An integer or integer arithmetic (`10 * 1024 * 1024`); `default` when unset or unreadable.
    public func integer(_ name: String, default fallback: Int) -> Int {
        value(name).flatMap { ConfigValue.integer($0) } ?? fallback
    }

    /// A list setting: items separated by commas and/or white space.
    public func list(_ name: String) -> [String] {
        value(name).map(ConfigValue.list) ?? []
    }

    /// An error about the value of `name`, naming the file and line that defined it (when a
    /// file did), so callers validating a setting can point the administrator at it.
    public func error(_ message: String, about name: String) -> ConfigError {
        table.error(message, about: name)
    }
}

extension StringProtocol {
    /// Without leading and trailing white space (FoundationEssentials has no `trimmingCharacters`).
    var trimmed: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
