/// One entry of `VMPARAM_vm_Disk` as written: `file:device:permission[:format]`.
struct DiskSpec: Equatable {
    var file: String
    var device: String
    var writable: Bool
    var format: String?
}

/// Splitting and checking `VMPARAM_vm_Disk`, without touching the file system.
enum DiskList {
    /// Longest disk list accepted: far beyond any real job, small enough to keep a hostile
    /// ad from making us split megabytes.
    static let maxLength = 64 * 1024
    /// More disks than any bus offers is a mistake or an attack.
    static let maxDisks = 64

    /// The entries, with spaces around separators trimmed and every field checked
    /// (`DiskFieldRules`); the thrown text says what is wrong, for the admin's log.
    static func split(_ text: String) throws(DiskListProblem) -> [DiskSpec] {
        guard text.utf8.count <= maxLength else {
            throw DiskListProblem("the disk list is \(text.utf8.count) bytes long, more than \(maxLength)")
        }
        guard TextRules.isMarkupSafe(text) else {
            throw DiskListProblem("the disk list \(TextRules.quoted(text)) holds a control character, invalid UTF-8 or one of < > & ' \"")
        }
        let entries = text.split(separator: ",", omittingEmptySubsequences: false).map(TextRules.trimmed)
        guard entries.count <= maxDisks else {
            throw DiskListProblem("the disk list names \(entries.count) disks, more than \(maxDisks)")
        }
        var specs: [DiskSpec] = []
        for entry in entries {
            let spec = try parse(entry)
            if specs.contains(where: { $0.device == spec.device }) {
                throw DiskListProblem("device \(TextRules.quoted(spec.device)) is used by two disks")
            }
            specs.append(spec)
        }
        return specs
    }

    private static func parse(_ entry: String) throws(DiskListProblem) -> DiskSpec {
        let fields = entry.split(separator: ":", omittingEmptySubsequences: false).map(TextRules.trimmed)
        guard fields.count == 3 || fields.count == 4 else {
            throw DiskListProblem("disk entry \(TextRules.quoted(entry)) does not have the form file:device:permission[:format]")
        }
        guard !fields[0].isEmpty else {
            throw DiskListProblem("disk entry \(TextRules.quoted(entry)) names no file")
        }
        guard let device = DiskFieldRules.device(fields[1]) else {
            throw DiskListProblem("disk device \(TextRules.quoted(fields[1])) is not a device name like vda, hdc, sdb or xvda")
        }
        guard let writable = DiskFieldRules.writable(fields[2]) else {
            throw DiskListProblem("disk permission \(TextRules.quoted(fields[2])) is not r, w or rw")
        }
        var format: String?
        if fields.count == 4 {
            guard let known = DiskFieldRules.format(fields[3]) else {
                let allowed = DiskFieldRules.formats.sorted().joined(separator: ", ")
                throw DiskListProblem("disk format \(TextRules.quoted(fields[3])) is not one of \(allowed)")
            }
            format = known
        }
        return DiskSpec(file: fields[0], device: device, writable: writable, format: format)
    }
}

/// Why a disk list was refused; the caller attaches the KVM or Xen token.
struct DiskListProblem: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
