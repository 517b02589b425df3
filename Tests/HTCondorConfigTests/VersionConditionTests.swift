import Foundation
import HTCondorConfig
import Testing

/// `if version …`: what it compares against and how.
@Suite struct VersionConditionTests {
    /// Conditions against a pinned 25.14.0, with HTCondor's verdicts.
    @Test(arguments: [
        ("version >= 23.10.0", true), ("version >= 25.14.0", true), ("version > 25.14.0", false),
        ("version > 25.13.9", true), ("version < 26.0.0", true), ("version <= 25.13.0", false),
        ("version == 25.14", true), ("version == 25.14.1", false), ("version = 25.14.0", true),
        ("version != 25.14.0", false), ("version != 8.0", true), ("! version >= 26.0", true),
        ("version >= v25.14", true), ("version >= 25.14.0.7", true), ("VERSION < 9.0.0", false),
    ])
    func comparesAgainstTheConfiguredVersion(condition: String, expected: Bool) throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(
            main: "if \(condition)\nR = yes\nelse\nR = no\nendif\n",
            environment: ["_CONDOR_VM_GAHP_HTCONDOR_VERSION": "25.14.0"])
        #expect(config.value("R") == (expected ? "yes" : "no"), "\(condition)")
        #expect(config.conditionVersion == HTCondorVersion(major: 25, minor: 14, patch: 0))
    }

    @Test func theKnobAboveTheConditionSetsTheVersion() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            VM_GAHP_HTCONDOR_VERSION = 23.9.6
            if version >= 23.10.0
              MODEL = recommended
            else
              MODEL = v9
            endif
            """)
        #expect(config.value("MODEL") == "v9")
        #expect(config.conditionVersion?.description == "23.9.6")
    }

    @Test func theInstalledLibraryGivesTheVersion() throws {
        let fixture = try ConfigFixture()
        try fixture.write("release/lib/libcondor_utils_23_0_4.so", "")
        try fixture.write("release/lib/libcondor_utils_24_12_2.so", "")
        try fixture.write("release/lib/libclassad.so", "")
        let config = try fixture.load(main: """
            RELEASE_DIR = \(fixture.path("release"))
            if version >= 24.12.2
              NEW = yes
            endif
            """)
        #expect(config.value("NEW") == "yes")
        #expect(config.conditionVersion?.description == "24.12.2")
    }

    @Test func withoutKnobOrLibraryTheTestedReleaseIsAssumed() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: """
            RELEASE_DIR = \(fixture.path("nowhere"))
            LIB = \(fixture.path("nowhere"))
            if version >= 1000.0
              A = 1
            endif
            """)
        #expect(HTCondorVersion.fallback.description == "25.14.0")
        let systemHasHTCondor = ["/usr/lib64", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu"]
            .contains { ((try? FileManager.default.contentsOfDirectory(atPath: $0)) ?? []).contains { $0.hasPrefix("libcondor_utils_") } }
        if systemHasHTCondor {
            print("an HTCondor is installed in the system library directories: the fallback is not reached here")
        } else {
            #expect(config.conditionVersion == HTCondorVersion.fallback)
        }
    }

    @Test func noVersionLookupWithoutAVersionCondition() throws {
        let fixture = try ConfigFixture()
        let config = try fixture.load(main: "if true\nA = 1\nendif\nif defined VM_GAHP_HTCONDOR_VERSION\nendif\n")
        #expect(config.conditionVersion == nil)
    }

    @Test func unusableKnobValuesFallThroughToDiscovery() throws {
        #expect(HTCondorVersion("25.14") == nil)
        #expect(HTCondorVersion("25.x.0") == nil)
        #expect(HTCondorVersion(" 9.0.1 ")?.description == "9.0.1")
    }
}

