import Foundation

/// A corpus job ad moved into a test's own working directory, as the corpus README asks:
/// `VM_WORKING_DIR` and `Iwd` point at the directory, and the disk files it names exist.
public enum JobAdFixture {
    /// The ad's lines with the execute directory of the corpus replaced by `directory`.
    public static func lines(_ name: String, workingDirectory directory: String) throws -> [String] {
        let text = try String(contentsOf: TestPaths.jobAds.appendingPathComponent("\(name).ad"), encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.replacingOccurrences(of: "/var/lib/condor/execute/dir_4242", with: directory)
        }
    }
}
