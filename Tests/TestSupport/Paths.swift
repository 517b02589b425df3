import Foundation

/// Where tests find the package, its build products and the fixtures in `Tests/Fixtures`.
///
/// Nothing a test needs lives outside the checkout: a clone on its own passes. The one
/// exception is by design: suites that compare against the real HTCondor find its bundle
/// through `scripts/htcondor-bundle.sh` and skip with a printed reason when there is none.
public enum TestPaths {
    /// The package root, derived from this file's location (`Tests/TestSupport/Paths.swift`).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the checkout, where a developer machine and CI keep the reference
    /// material. Optional: only the HTCondor comparison suites look there (through
    /// `scripts/htcondor-bundle.sh`), and they skip when it is absent.
    public static let shared: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared")

    /// HTCondor-made test inputs copied into the repository (`Tests/Fixtures/README.md`).
    public static let fixtures: URL = packageRoot.appendingPathComponent("Tests/Fixtures")

    /// Job ads as HTCondor's starter sends them (`Tests/Fixtures/jobads/*.ad`).
    public static let jobAds: URL = fixtures.appendingPathComponent("jobads")

    /// HTCondor's ClassAd library's verdicts on old-syntax lines.
    public static let classAdVectors: URL = fixtures.appendingPathComponent("classad/old-syntax-vectors.json")

    /// The directory holding the built executables: the one that contains the test bundle.
    public static let products: URL = {
        var url = Bundle.main.bundleURL
        // swift test runs `<products>/vmgahpPackageTests.xctest` (a file on Linux).
        while url.pathComponents.count > 1, !FileManager.default.fileExists(atPath: url.appendingPathComponent("condor_vm-gahp").path) {
            url.deleteLastPathComponent()
            if url.lastPathComponent == "" { break }
        }
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("condor_vm-gahp").path) { return url }
        return packageRoot.appendingPathComponent(".build/debug")
    }()

    public static func product(_ name: String) -> URL { products.appendingPathComponent(name) }
}

/// A fresh directory that is removed when the value goes away.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    public init(prefix: String = "vmgahp-test") throws {
        let base = URL(fileURLWithPath: NSTemporaryDirectory())
        url = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// Writes a file inside the directory and returns its path.
    @discardableResult
    public func write(_ name: String, _ contents: String = "") throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
