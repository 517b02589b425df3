#if canImport(Glibc)
    import Glibc
#endif

/// The HTCondor version an `if version …` condition compares against.
///
/// The gahp is not HTCondor, so "the version of the program reading the file" means the
/// HTCondor installed beside it: configuration written for that HTCondor must read the same
/// in the gahp as in the starter that spawns it. Found, in this order, without running
/// anything (the gahp starts once per job and per probe):
/// 1. the knob `VM_GAHP_HTCONDOR_VERSION` (`x.y.z`), as defined above the condition or in the
///    environment (`_CONDOR_VM_GAHP_HTCONDOR_VERSION`);
/// 2. the version in the name of HTCondor's shared library, `libcondor_utils_X_Y_Z.so`, in
///    `$(LIB)`, `$(RELEASE_DIR)/lib`, `$(RELEASE_DIR)/lib64` and the system library directories;
/// 3. `fallback`, the HTCondor release this gahp is tested against.
public struct HTCondorVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    /// The knob that sets the version outright.
    public static let knob = "VM_GAHP_HTCONDOR_VERSION"
    /// Used when neither the knob nor an installed HTCondor says otherwise.
    public static let fallback = HTCondorVersion(major: 25, minor: 14, patch: 0)

    public init(major: Int, minor: Int, patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// `x.y.z` exactly (white space around it allowed).
    public init?(_ text: String) {
        let parts = text.trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { Int($0) }.filter { $0 >= 0 }
        guard parts.count == 3, numbers.count == 3 else { return nil }
        self.init(major: numbers[0], minor: numbers[1], patch: numbers[2])
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: HTCondorVersion, rhs: HTCondorVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    private static let libraryPrefix = "libcondor_utils_"

    /// The version in a library file name such as `libcondor_utils_25_14_0.so`.
    static func fromLibraryName(_ name: String) -> HTCondorVersion? {
        guard name.hasPrefix(libraryPrefix), name.hasSuffix(".so") else { return nil }
        let digits = name.dropFirst(libraryPrefix.count).dropLast(3).split(separator: "_", omittingEmptySubsequences: false)
        guard digits.count == 3 else { return nil }
        return HTCondorVersion(digits.joined(separator: "."))
    }

    /// The newest `libcondor_utils_*.so` in the first of `directories` that holds one.
    static func installed(in directories: [String]) -> HTCondorVersion? {
        var seen: Set<String> = []
        for directory in directories where !directory.isEmpty && seen.insert(directory).inserted {
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            var found: HTCondorVersion?
            while let entry = readdir(handle) {
                // Read the name in place: a record can be shorter than `dirent`, so copying the
                // struct (or its `d_name` tuple) may read past the end of readdir's buffer. Only
                // names with the library's prefix become Swift strings (a system library
                // directory holds a thousand entries).
                let cName = UnsafeRawPointer(entry).advanced(by: Self.nameOffset).assumingMemoryBound(to: CChar.self)
                guard strncmp(cName, Self.libraryPrefix, Self.libraryPrefix.utf8.count) == 0 else { continue }
                let name = String(cString: cName)
                if let version = fromLibraryName(name), found.map({ version > $0 }) ?? true { found = version }
            }
            if let found { return found }
        }
        return nil
    }

    /// Where `d_name` sits in a `dirent` (19 on Linux, the fallback never used).
    private static let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name) ?? 19

    /// The system library directories searched after the configured ones.
    static var systemLibraryDirectories: [String] {
        var machine = utsname()
        uname(&machine)
        let architecture = withUnsafeBytes(of: machine.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return ["/usr/lib64", "/usr/lib", "/usr/lib/\(architecture)-linux-gnu"]
    }
}
