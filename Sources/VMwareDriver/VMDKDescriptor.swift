import JobAd
import VMCore

#if canImport(Glibc)
import Glibc
#endif

/// The files a virtual disk makes VMware open: a VMDK descriptor's extents and its parent
/// (`parentFileNameHint`), found in a text descriptor or the descriptor embedded in a
/// hosted sparse extent (`KDMV`).
///
/// A descriptor is the job's file, and VMware opens what it names with the job user's
/// rights, so every name must stay inside the working directory or the allowed shared
/// roots, and raw-device disks are refused outright.
struct VMDKDescriptor: Equatable {
    var createType: String?
    /// `(access, type, file)`; `file` is nil for `ZERO` extents.
    var extents: [Extent]
    var parent: String?

    struct Extent: Equatable {
        var type: String
        var file: String?
    }

    /// Why a file is not a disk this driver can vouch for.
    struct Unreadable: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    /// Descriptors are a few hundred bytes; more than this is not one.
    static let maxSize = 64 << 10
    /// Snapshot chains deeper than this are refused rather than followed.
    static let maxChain = 16

    static let rawCreateTypes: Set<String> = ["fulldevice", "partitioneddevice", "vmfsrawdevicemap", "vmfspassthroughrawdevicemap"]
    static let fileExtentTypes: Set<String> = ["FLAT", "SPARSE", "VMFS", "VMFSSPARSE", "SESPARSE"]

    /// Parses descriptor text; nil when it is not one.
    init?(text: String) {
        guard text.hasPrefix("# Disk DescriptorFile") else { return nil }
        extents = []
        for raw in text.split(separator: "\n") {
            let line = String(raw).trimmingBlanks
            if let value = Self.setting("createType", in: line) { createType = value }
            if let value = Self.setting("parentFileNameHint", in: line) { parent = value }
            let words = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
            guard words.count >= 3, ["RW", "RDONLY", "NOACCESS"].contains(words[0]), UInt64(words[1]) != nil else { continue }
            var file: String?
            if words.count == 4, let open = words[3].firstIndex(of: "\""),
               let close = words[3][words[3].index(after: open)...].firstIndex(of: "\"") {
                file = String(words[3][words[3].index(after: open)..<close])
            }
            extents.append(Extent(type: String(words[2]).uppercased(), file: file))
        }
    }

    private static func setting(_ name: String, in line: String) -> String? {
        guard line.hasPrefix(name) else { return nil }
        let rest = line.dropFirst(name.count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { return nil }
        let value = String(rest.dropFirst()).trimmingBlanks
        guard value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") else { return value }
        return String(value.dropFirst().dropLast())
    }

    /// The descriptor of the file at `path`: a text descriptor, or the one embedded in a
    /// hosted sparse extent (nil when it has none). Other formats are refused.
    static func read(_ path: String) -> Result<VMDKDescriptor?, Unreadable> {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return .failure(Unreadable("cannot be opened (\(String(cString: strerror(errno))))")) }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 512)
        let count = pread(fd, &head, head.count, 0)
        guard count >= 4 else { return .failure(Unreadable("is too short to be a VMDK")) }
        let magic = String(decoding: head[0..<4], as: UTF8.self)
        if magic == "KDMV" {
            guard count >= 44 else { return .failure(Unreadable("has a truncated sparse header")) }
            let offset = littleEndian(head, at: 28), size = littleEndian(head, at: 36)
            if offset == 0 || size == 0 { return .success(nil) }
            guard size * 512 <= UInt64(maxSize), offset < UInt64(Int64.max / 512) else {
                return .failure(Unreadable("embeds a descriptor larger than \(maxSize) bytes"))
            }
            var text = [UInt8](repeating: 0, count: Int(size * 512))
            let got = pread(fd, &text, text.count, off_t(offset * 512))
            guard got > 0 else { return .failure(Unreadable("has an embedded descriptor that cannot be read")) }
            let body = String(decoding: text[0..<got].prefix { $0 != 0 }, as: UTF8.self)
            guard let descriptor = VMDKDescriptor(text: body) else { return .failure(Unreadable("has an embedded descriptor that cannot be parsed")) }
            return .success(descriptor)
        }
        if magic == "COWD" { return .failure(Unreadable("is an ESX sparse (COWD) disk, which is not supported")) }
        var text = [UInt8](repeating: 0, count: maxSize + 1)
        let got = pread(fd, &text, text.count, 0)
        guard got > 0, got <= maxSize, let body = String(validating: text[0..<got], as: UTF8.self),
              let descriptor = VMDKDescriptor(text: body)
        else { return .failure(Unreadable("is neither a VMDK descriptor (at most \(maxSize) bytes) nor a hosted sparse VMDK")) }
        return .success(descriptor)
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }

    /// Checks the disk at `path` (already confined) and, through its descriptor, every file
    /// it makes VMware open. Names are resolved where VMware resolves them: relative to the
    /// descriptor's directory.
    static func check(_ path: String, files: JobFileBoundary) throws(VMGAHPError) {
        var seen: Set<String> = []
        try check(path, files: files, depth: 0, seen: &seen)
    }

    private static func check(_ path: String, files: JobFileBoundary, depth: Int, seen: inout Set<String>) throws(VMGAHPError) {
        guard depth < maxChain else { throw VMGAHPError.job(.badImage, "VMDK \(path) starts a chain of more than \(maxChain) parent disks") }
        guard seen.insert(path).inserted else { return }
        let descriptor: VMDKDescriptor
        switch read(path) {
        case .failure(let problem): throw VMGAHPError.job(.badImage, "VMDK \(path) \(problem.reason)")
        case .success(nil): return
        case .success(let found?): descriptor = found
        }
        if let type = descriptor.createType, rawCreateTypes.contains(type.lowercased()) {
            throw VMGAHPError.job(.badImage, "VMDK \(path) is a raw-device disk (createType \(type)); only file-backed disks may run here")
        }
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        func confined(_ name: String, role: String) throws(VMGAHPError) -> String {
            let full = name.hasPrefix("/") ? name : directory + "/" + name
            switch files.resolveExactly(full, kind: "VMDK \(role)") {
            case .success(let real): return real
            case .failure(let problem): throw VMGAHPError.job(.badImage, "VMDK \(path): \(problem.message)")
            }
        }
        for extent in descriptor.extents {
            if extent.type == "ZERO" { continue }
            guard fileExtentTypes.contains(extent.type), let name = extent.file else {
                throw VMGAHPError.job(.badImage, "VMDK \(path) has a \(extent.type) extent; only file extents may run here")
            }
            _ = try confined(name, role: "extent")
        }
        if let parent = descriptor.parent, !parent.isEmpty {
            try check(try confined(parent, role: "parent"), files: files, depth: depth + 1, seen: &seen)
        }
    }
}
