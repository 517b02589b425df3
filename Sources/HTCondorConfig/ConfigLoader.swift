import FoundationEssentials

/// The order HTCondor reads its configuration in:
/// 1. the file named by `CONDOR_CONFIG` (none at all for `ONLY_ENV`), else the default path;
/// 2. the files in each `LOCAL_CONFIG_DIR` directory, in lexical order, minus the names
///    `LOCAL_CONFIG_DIR_EXCLUDE_REGEXP` matches (editor backups, package-manager leftovers,
///    dot files);
/// 3. each `LOCAL_CONFIG_FILE`, in list order;
/// 4. `LOCAL_CONFIG_DIR` again if step 3 changed it;
/// 5. `_CONDOR_NAME` environment variables.
/// Later definitions replace earlier ones.
enum ConfigLoader {
    static let onlyEnvironment = "ONLY_ENV"

    static func load(
        environment: [String: String], subsystem: String, defaultConfigPath: String
    ) throws(ConfigError) -> ConfigFileReader {
        let table = MacroTable(subsystem: subsystem, defaults: Defaults.table(subsystem: subsystem))
        var reader = ConfigFileReader(table: table, environment: environment)
        if environment["CONDOR_CONFIG"] != onlyEnvironment {
            try readMainFile(environment: environment, defaultConfigPath: defaultConfigPath, into: &reader)
            try readLocalSources(into: &reader)
        }
        applyEnvironment(environment, to: &reader)
        return reader
    }

    private static func readMainFile(
        environment: [String: String], defaultConfigPath: String, into reader: inout ConfigFileReader
    ) throws(ConfigError) {
        if let named = environment["CONDOR_CONFIG"], !named.isEmpty {
            try reader.read(file: named)
            return
        }
        guard FileManager.default.fileExists(atPath: defaultConfigPath) else {
            throw ConfigError(
                file: defaultConfigPath,
                message: "no HTCondor configuration: CONDOR_CONFIG is not set and this file does not exist"
                    + " (set CONDOR_CONFIG=ONLY_ENV to configure through the environment only)")
        }
        try reader.read(file: defaultConfigPath)
    }

    private static func readLocalSources(into reader: inout ConfigFileReader) throws(ConfigError) {
        let directories = reader.expandedList("LOCAL_CONFIG_DIR")
        try readDirectories(directories, into: &reader)
        try readLocalFiles(into: &reader)
        let changed = reader.expandedList("LOCAL_CONFIG_DIR")
        if changed != directories { try readDirectories(changed, into: &reader) }
    }

    /// Each `LOCAL_CONFIG_FILE` in order; a file that changes the list switches to the new list
    /// (minus the files already read), as HTCondor does.
    private static func readLocalFiles(into reader: inout ConfigFileReader) throws(ConfigError) {
        var done: [String] = []
        var listed = ""
        var pending: [String] = []
        while true {
            let current = reader.expanded("LOCAL_CONFIG_FILE")
            guard !current.trimmed.hasSuffix("|") else {
                throw reader.table.error("configuration from a command is not supported", about: "LOCAL_CONFIG_FILE")
            }
            if current != listed {
                listed = current
                pending = ConfigValue.list(current).filter { !done.contains($0) }
            }
            guard !pending.isEmpty else { return }
            let file = pending.removeFirst()
            try readLocalFile(file, into: &reader)
            done.append(file)
        }
    }

    private static func readLocalFile(_ path: String, into reader: inout ConfigFileReader) throws(ConfigError) {
        if FileManager.default.fileExists(atPath: path) {
            try reader.read(file: path)
        } else if ConfigValue.boolean(reader.expanded("REQUIRE_LOCAL_CONFIG_FILE")) ?? true {
            throw ConfigError(
                file: path, message: "local configuration file does not exist (REQUIRE_LOCAL_CONFIG_FILE is true)")
        } else {
            reader.warnings.append("\(path): local configuration file does not exist; skipped")
        }
    }

    private static func readDirectories(_ directories: [String], into reader: inout ConfigFileReader) throws(ConfigError) {
        guard !directories.isEmpty else { return }
        let exclusion = try exclusionRule(reader)
        for directory in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
                reader.warnings.append("\(directory): LOCAL_CONFIG_DIR cannot be listed; skipped")
                continue
            }
            for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where !exclusion(name) {
                let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
                guard FileKind(path) == .other else { continue }
                try reader.read(file: path)
            }
        }
    }

    /// `LOCAL_CONFIG_DIR_EXCLUDE_REGEXP`, searched (not anchored) in each file name. HTCondor's
    /// default pattern is matched by hand: compiling it as a `Regex` took most of the time of
    /// reading a stock configuration, at every start of the gahp.
    private static func exclusionRule(_ reader: ConfigFileReader) throws(ConfigError) -> (String) -> Bool {
        let pattern = reader.expanded("LOCAL_CONFIG_DIR_EXCLUDE_REGEXP")
        guard !pattern.isEmpty else { return { _ in false } }
        if pattern == Defaults.localConfigDirExclusion { return Defaults.isExcludedByDefault }
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            throw reader.table.error("'\(pattern)' is not a usable regular expression", about: "LOCAL_CONFIG_DIR_EXCLUDE_REGEXP")
        }
        return { name in (try? regex.firstMatch(in: name)) != nil }
    }

    /// `_CONDOR_NAME=value` (prefix in any case) defines `NAME`; `_CONDOR_VM_GAHP.NAME` defines the
    /// subsystem-specific `VM_GAHP.NAME`, like any other name with a dot.
    private static func applyEnvironment(_ environment: [String: String], to reader: inout ConfigFileReader) {
        let prefix = "_CONDOR_"
        for (key, value) in environment.sorted(by: { $0.key < $1.key }) where key.uppercased().hasPrefix(prefix) {
            let name = String(key.dropFirst(prefix.count))
            guard MacroSyntax.isName(name) else { continue }
            reader.table.define(name, value: value.trimmed, origin: .environment)
        }
    }
}

extension ConfigFileReader {
    func expanded(_ name: String) -> String {
        expander.expand(table.lookup(name)?.value ?? "", of: name)
    }

    func expandedList(_ name: String) -> [String] {
        ConfigValue.list(expanded(name))
    }
}
