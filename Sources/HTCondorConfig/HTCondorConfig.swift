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
/// - conditions are HTCondor's simple ones (`ConditionEvaluator`); `if version` compares
///   against the HTCondor installed beside the gahp (`HTCondorVersion`);
/// - `use` templates are checked as HTCondor checks them and set nothing (`Metaknobs`);
/// - `include command`, command-generated `LOCAL_CONFIG_FILE` and HTCondor's "complex"
///   conditions are refused with an error naming file and line, never guessed at; so is a
///   knob the gahp reads (`knobsTheGahpReads`) whose function macro fails (`$INT(text)`).
public struct HTCondorConfig: Sendable {
    private let table: MacroTable
    private let environment: [String: String]
    /// The files read, in order (includes and local files too).
    public let filesRead: [String]
    /// `warning :` lines and things read but not honoured (missing optional files), for the log.
    public let warnings: [String]
    /// The `use CATEGORY : NAME` templates named, as `category:name`, in order.
    public let metaknobs: [String]
    /// What `if version` compared against; nil when no condition asked.
    public let conditionVersion: HTCondorVersion?

    /// Every knob the gahp and its drivers read. The differential test against HTCondor's
    /// `condor_config_val` compares exactly these; a new knob belongs here.
    public static let knobsTheGahpReads = [
        "LOCAL_CONFIG_DIR", "LOCAL_CONFIG_FILE", "REQUIRE_LOCAL_CONFIG_FILE", "LOCAL_CONFIG_DIR_EXCLUDE_REGEXP",
        "VM_GAHP_LOG", "MAX_VM_GAHP_LOG", "VM_GAHP_DEBUG", "ALL_DEBUG", "DEFAULT_DEBUG", "VM_GAHP_REQ_TIMEOUT",
        "VM_MEMORY", "VM_NETWORKING", "VM_NETWORKING_TYPE", "VM_NETWORKING_DEFAULT_TYPE",
        "VM_NETWORKING_BRIDGE_INTERFACE", "VM_HARDWARE_VT", "XEN_BOOTLOADER", "XEN_ALLOW_HARDWARE_VT_SUSPEND",
        "VM_GAHP_DISK_ROOTS", "VM_LIBVIRT_URI", "VM_LIBVIRT_DOMAIN_TYPE", "VM_LIBVIRT_CPU_MODE", "VM_GAHP_STOP_GRACE",
        "LIBVIRT_XML_SCRIPT", "LIBVIRT_XML_SCRIPT_ARGS", "VM_GAHP_XML_SCRIPT_TIMEOUT", HTCondorVersion.knob,
        "VM_GAHP_TEARDOWN_TIMEOUT", "VM_GAHP_KILL_TIMEOUT", "CONDOR_IDS", "VM_TYPE",
        "VMWARE_PERL", "VMWARE_SCRIPT", "VMWARE_SCRIPT_TIMEOUT", "VMWARE_NETWORKING_TYPE", "VMWARE_NAT_NETWORKING_TYPE",
        "VMWARE_BRIDGE_NETWORKING_TYPE", "VMWARE_LOCAL_SETTINGS_FILE",
    ]

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
        let config = HTCondorConfig(reader: reader, environment: environment)
        try config.checkFunctionMacros(of: knobsTheGahpReads)
        return config
    }

    private init(reader: ConfigFileReader, environment: [String: String]) {
        table = reader.table
        self.environment = environment
        filesRead = reader.filesRead
        warnings = reader.warnings
        metaknobs = reader.metaknobs.map { "\($0.category):\($0.name)" }
        conditionVersion = reader.version
    }

    /// HTCondor stops on a function macro that fails in a value it looks up; so does the gahp,
    /// for the knobs it reads, naming the definition to fix.
    private func checkFunctionMacros(of names: [String]) throws(ConfigError) {
        let expander = MacroExpander(table: table, environment: environment)
        for name in names {
            guard let raw = table.lookup(name)?.value else { continue }
            do {
                _ = try expander.checkedExpand(raw, of: name)
            } catch {
                throw self.error(error.message, about: name)
            }
        }
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

    /// A size in bytes (`10 Mb`, `1048576`); `default` when unset or unreadable.
    public func byteCount(_ name: String, default fallback: Int) -> Int {
        value(name).flatMap(ConfigValue.byteCount) ?? fallback
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
    /// Index searches from both ends, not `reversed()`: this runs on every line of every file
    /// at every start, and building strings from reversed characters cost milliseconds per file.
    var trimmed: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return ""
        }
        return String(self[first...last])
    }
}
