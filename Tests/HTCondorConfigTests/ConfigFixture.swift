import Foundation
import HTCondorConfig

/// A temporary directory holding a configuration tree; removed when the fixture goes away.
final class ConfigFixture {
    let root: String

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("htcondor-config-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The default main file path the loader is pointed at.
    var mainFile: String { path("condor_config") }

    func path(_ relative: String) -> String {
        (root as NSString).appendingPathComponent(relative)
    }

    /// Writes `text` to `relative` (creating directories) and returns the absolute path.
    @discardableResult
    func write(_ relative: String, _ text: String) throws -> String {
        let full = path(relative)
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    /// Loads with the fixture's main file as the default configuration path.
    func load(environment: [String: String] = [:]) throws(ConfigError) -> HTCondorConfig {
        try HTCondorConfig.load(environment: environment, defaultConfigPath: mainFile)
    }

    /// Writes the main file and loads it.
    func load(main text: String, environment: [String: String] = [:]) throws -> HTCondorConfig {
        try write("condor_config", text)
        return try load(environment: environment)
    }

    /// The error a load fails with, or nil if it succeeds.
    func loadError(environment: [String: String] = [:]) -> ConfigError? {
        do {
            _ = try load(environment: environment)
            return nil
        } catch {
            return error
        }
    }
}
