// swift-tools-version: 6.1
// vmgahp: a drop-in replacement for HTCondor's condor_vm-gahp.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "vmgahp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "condor_vm-gahp", targets: ["condor_vm-gahp"]),
        .executable(name: "gahp-conformance", targets: ["gahp-conformance"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // Without its Foundation trait: the gahp links FoundationEssentials only, for start-up time.
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2", traits: []),
    ],
    targets: [
        // MARK: wire format and job ads (pure, no I/O)
        /// GAHPWire holds the banner; the plugin stamps it with the day it is built.
        .target(name: "GAHPWire", swiftSettings: strict, plugins: ["BuildDatePlugin"]),
        .plugin(name: "BuildDatePlugin", capability: .buildTool(), path: "Sources/BuildDatePlugin"),
        .target(name: "ClassAd", swiftSettings: strict),

        // MARK: host integration
        .target(name: "HTCondorConfig", dependencies: ["VMCore"], swiftSettings: strict),
        .target(
            name: "GAHPLogging",
            dependencies: ["VMCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        // MARK: the driver interface and the job description every driver consumes
        .target(
            name: "VMCore",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(name: "JobAd", dependencies: ["ClassAd", "VMCore", "DiskImage", "CJobUser"], swiftSettings: strict),
        /// Disk image headers read by our own bounded code: format, backing files, references.
        .target(name: "DiskImage", swiftSettings: strict),
        /// Per-thread file-system credentials (raw syscalls: glibc's wrappers change every thread).
        .target(name: "CJobUser"),

        // MARK: the protocol engine
        .target(
            name: "GAHPServer",
            dependencies: ["GAHPWire", "VMCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        /// The interactive transport: a terminal, a line editor, and a translation of what an
        /// admin types into protocol lines and of the replies into sentences. The engine above
        /// does not know it exists.
        .target(
            name: "GAHPConsole",
            dependencies: ["GAHPServer", "GAHPWire", "VMCore"],
            swiftSettings: strict),

        // MARK: hypervisor drivers
        /// libvirt's headers. No `pkgConfig`: that would link libvirt.so into the binary, whose
        /// dependencies cost ~11 ms at every exec; CLibvirtLoader loads it on first use instead.
        .systemLibrary(name: "CLibvirt", providers: [.apt(["libvirt-dev"])]),
        /// libvirt's functions as trampolines into the library, loaded on first use (loader.c).
        .target(name: "CLibvirtLoader", dependencies: ["CLibvirt"], linkerSettings: [.linkedLibrary("dl")]),
        .target(
            name: "LibvirtDriver",
            dependencies: [
                "CLibvirt", "CLibvirtLoader", "VMCore", "JobAd", "ClassAd", "DiskImage",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict),
        /// VMware Workstation, Player and Server through our Perl script `scripts/condor_vm_vmware`.
        .target(
            name: "VMwareDriver",
            dependencies: [
                "VMCore", "JobAd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict),
        .target(
            name: "FakeDriver",
            dependencies: ["VMCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        // MARK: the command line (shared by the real binary and the test binary)
        .target(
            name: "VMGahpCommand",
            dependencies: [
                "GAHPServer", "GAHPConsole", "GAHPWire", "HTCondorConfig", "GAHPLogging", "VMCore", "JobAd", "ClassAd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "condor_vm-gahp",
            dependencies: ["VMGahpCommand", "LibvirtDriver", "VMwareDriver"],
            swiftSettings: strict),
        /// The same server wired to the in-memory driver, for tests that spawn a gahp
        /// without a hypervisor. Not a product: it is never installed.
        .executableTarget(
            name: "vm-gahp-fake",
            dependencies: ["VMGahpCommand", "FakeDriver"],
            swiftSettings: strict),

        // MARK: fuzz targets (`scripts/fuzz.sh wire|classad|image`)
        .target(name: "FuzzSupport", swiftSettings: strict),
        .executableTarget(
            name: "gahp-fuzz",
            dependencies: [
                "FuzzSupport", "GAHPServer", "GAHPWire", "VMCore", "FakeDriver",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "classad-fuzz", dependencies: ["FuzzSupport", "ClassAd"], swiftSettings: strict),
        .executableTarget(name: "image-fuzz", dependencies: ["FuzzSupport", "DiskImage"], swiftSettings: strict),

        /// Micro-benchmarks of per-job work (BENCHMARKS.md).
        .executableTarget(
            name: "component-bench",
            dependencies: [
                "ClassAd", "JobAd", "VMCore", "GAHPLogging", "HTCondorConfig", "DiskImage", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // MARK: protocol conformance
        /// Deliberately independent of the server's own framing code, so that a bug there
        /// cannot hide itself from the suite.
        .target(name: "GAHPConformance", swiftSettings: strict),
        .executableTarget(
            name: "gahp-conformance",
            dependencies: ["GAHPConformance", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // MARK: tests
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(name: "GAHPWireTests", dependencies: ["GAHPWire"], swiftSettings: strict),
        .testTarget(name: "ClassAdTests", dependencies: ["ClassAd", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HTCondorConfigTests", dependencies: ["HTCondorConfig", "VMCore", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "GAHPLoggingTests",
            dependencies: ["GAHPLogging", "TestSupport", "VMCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(name: "JobAdTests", dependencies: ["JobAd", "ClassAd", "VMCore", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DiskImageTests", dependencies: ["DiskImage", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "GAHPServerTests",
            dependencies: [
                "GAHPServer", "GAHPWire", "VMCore", "FakeDriver", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "LibvirtDriverTests",
            dependencies: ["LibvirtDriver", "VMCore", "JobAd", "ClassAd", "TestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "VMwareDriverTests",
            dependencies: ["VMwareDriver", "VMCore", "JobAd", "ClassAd", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "GAHPWire", "TestSupport",
                // KVM*.swift drive the libvirt driver directly on a real libvirtd.
                "LibvirtDriver", "VMCore", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["GAHPConformance", "TestSupport", "VMCore"],
            swiftSettings: strict),
    ]
)
