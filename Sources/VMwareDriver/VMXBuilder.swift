import JobAd
import VMCore

#if canImport(Glibc)
import Glibc
#endif

/// Builds the .vmx the gahp hands VMware from the job's own .vmx.
///
/// Only keys that describe virtual hardware are kept (`config.*`, `virtualHW.*`,
/// `guestOS*`, the SCSI/IDE/SATA/NVMe and floppy devices, `ethernet0.virtualDev`);
/// everything that names host resources the gahp cannot vouch for (physical CD-ROMs and
/// floppies, serial and parallel ports, shared folders, log and swap locations) is dropped.
/// Every file a kept device names is confined (see `JobFileBoundary`) and written as its
/// resolved path, and every disk's VMDK chain is checked (`VMDKDescriptor`). Memory,
/// vCPUs, name and networking come from the validated job, not from the job's .vmx.
struct VMXBuilder {
    var job: JobDescription
    var settings: VMwareSettings
    /// `VM_GAHP_DISK_ROOTS`: when set, files outside the working directory must lie under one.
    var allowedRoots: [String]
    /// Whose credentials decide access to files outside the working directory.
    var jobUser: FileOwner? = nil

    static let localStart = "### Start local parameters ###"
    static let localEnd = "### End local parameters ###"

    /// Device groups whose files are checked; other groups are kept only if whitelisted.
    private static func isStorageDevice(_ group: String) -> Bool {
        for prefix in ["scsi", "ide", "sata", "nvme"] where group.hasPrefix(prefix) {
            let rest = group.dropFirst(prefix.count)
            return !rest.isEmpty && rest.allSatisfy { $0.isNumber || $0 == ":" }
        }
        return false
    }

    private static func isFloppy(_ group: String) -> Bool {
        group.hasPrefix("floppy") && group.dropFirst(6).allSatisfy(\.isNumber) && group.count > 6
    }

    /// Device types that pass a host device through to the guest.
    static let physicalDeviceTypes: Set<String> = ["cdrom-raw", "atapi-cdrom", "rawdisk", "scsi-passthru", "plaindisk"]

    func build() throws(VMGAHPError) -> String {
        guard let vmware = job.vmware else {
            throw VMGAHPError.job(.badImage, "the job describes no VMware files")
        }
        let source = try Self.readSource(vmware.vmxFile)
        let entries: [VMXEntry]
        switch VMXFile.parse(source) {
        case .success(let parsed): entries = parsed
        case .failure(let problem): throw VMGAHPError.job(.badImage, "VMX \(vmware.vmxFile): \(problem.message)")
        }
        var kept: [VMXEntry] = []
        var groups: [String: [VMXEntry]] = [:]
        for entry in entries {
            let key = entry.folded
            if key.hasPrefix("config.") || key.hasPrefix("virtualhw.") || key.hasPrefix("guestos") || key == "ethernet0.virtualdev" {
                kept.append(entry)
            } else if Self.isStorageDevice(entry.group) || Self.isFloppy(entry.group) {
                groups[entry.group, default: []].append(entry)
            }
        }
        if !kept.contains(where: { $0.folded == "config.version" }) {
            kept.insert(VMXEntry(key: "config.version", value: "8"), at: 0)
        }
        for group in groups.keys.sorted() {
            kept += try device(group, groups[group]!, vmware: vmware)
        }
        var lines = [".encoding = \"UTF-8\"", "# Written by condor_vm-gahp for \(job.name) from \(vmware.vmxFile); VMware may update it."]
        lines += kept.map(\.line)
        lines += [
            VMXEntry(key: "displayName", value: job.name), VMXEntry(key: "memsize", value: String(job.memoryMiB)),
            VMXEntry(key: "numvcpus", value: String(job.vcpus)), VMXEntry(key: "uuid.action", value: "keep"),
            VMXEntry(key: "msg.autoAnswer", value: "TRUE"),
        ].map(\.line)
        lines += try networking().map(\.line)
        if let local = try localSettings() {
            lines += [Self.localStart] + local.map(\.line) + [Self.localEnd]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One device's kept lines: physical and absent devices are dropped; the file it names
    /// is confined and replaced by its resolved path; a disk's VMDK chain is checked.
    private func device(_ group: String, _ entries: [VMXEntry], vmware: JobDescription.VMwareFiles) throws(VMGAHPError) -> [VMXEntry] {
        func value(_ subkey: String) -> String? { entries.first { $0.subkey == subkey }?.value.lowercased() }
        if value("present") == "false" { return [] }
        let deviceType = value("devicetype") ?? (group.contains(":") ? "disk" : "controller")
        if Self.physicalDeviceTypes.contains(deviceType) || (Self.isFloppy(group) && value("filetype") != "file") {
            return []
        }
        var result: [VMXEntry] = []
        for entry in entries {
            let sub = entry.subkey
            if sub == "filename" {
                let path = try confine(entry.value, in: vmware)
                if deviceType == "disk" && !Self.isFloppy(group) {
                    guard path.lowercased().hasSuffix(".vmdk") else {
                        throw VMGAHPError.job(.badImage, "VMX \(vmware.vmxFile): \(entry.key) names \(entry.value), which is not a .vmdk disk")
                    }
                    try VMDKDescriptor.check(path, files: try confinement())
                }
                result.append(VMXEntry(key: entry.key, value: path))
            } else if sub == "mode", vmware.snapshotDisk {
                // Independent disks are left out of snapshots: the job's disk would change.
                continue
            } else if sub == "filetype" || !(sub.contains("file") || sub.contains("dir") || sub.contains("path") || sub.contains("redo")) {
                result.append(entry)
            }
        }
        return result
    }

    private func confinement() throws(VMGAHPError) -> JobFileBoundary {
        guard let files = JobFileBoundary(workingDirectory: job.workingDirectory, allowedRoots: allowedRoots, jobUser: jobUser) else {
            throw VMGAHPError.host(.noJobClassAdInfo, "working directory \(job.workingDirectory) is not a directory")
        }
        return files
    }

    /// Where VMware will find a file the job's .vmx names: transferred files in the
    /// working directory (HTCondor's rule: a same-named file there wins), others relative
    /// to `VMPARAM_VMware_Dir`. Must stay inside those; `|` is VMware's escape character.
    private func confine(_ name: String, in vmware: JobDescription.VMwareFiles) throws(VMGAHPError) -> String {
        let full = !name.hasPrefix("/") && !vmware.transfer ? (vmware.directory ?? job.workingDirectory) + "/" + name : name
        let path: String
        switch try confinement().resolve(full, kind: "VMX device") {
        case .success(let real): path = real
        case .failure(let problem): throw VMGAHPError.job(.badImage, "VMX \(vmware.vmxFile): \(problem.message)")
        }
        guard !path.contains("|") else {
            throw VMGAHPError.job(.badImage, "VMX \(vmware.vmxFile): \(name) resolves to \(path), whose | VMware would read as an escape")
        }
        return path
    }

    /// `ethernet0.*` from the job's networking and the VMWARE_*NETWORKING_TYPE knobs.
    private func networking() throws(VMGAHPError) -> [VMXEntry] {
        guard let networking = job.networking else { return [VMXEntry(key: "ethernet0.present", value: "FALSE")] }
        guard let type = settings.connectionType(for: networking.kind) else {
            throw VMGAHPError.host(.mismatchedNetworkingType, "VMware has no \(networking.kind.rawValue) networking; remove it from VM_NETWORKING_TYPE")
        }
        guard VMXFile.isKey(type) else {
            throw VMGAHPError.host(.mismatchedNetworkingType, "the VMware connection type \(type) for \(networking.kind.rawValue) networking is not a plain word")
        }
        var entries = [VMXEntry(key: "ethernet0.present", value: "TRUE"), VMXEntry(key: "ethernet0.connectionType", value: type)]
        if let mac = networking.mac {
            entries += [VMXEntry(key: "ethernet0.addressType", value: "static"), VMXEntry(key: "ethernet0.address", value: mac)]
        } else {
            entries.append(VMXEntry(key: "ethernet0.addressType", value: "generated"))
        }
        return entries
    }

    /// `VMWARE_LOCAL_SETTINGS_FILE`: the admin's lines, checked like the job's.
    private func localSettings() throws(VMGAHPError) -> [VMXEntry]? {
        guard let file = settings.localSettingsFile else { return nil }
        let text: String
        do { text = try Self.readSource(file) } catch {
            throw VMGAHPError.host(.critical, "VMWARE_LOCAL_SETTINGS_FILE \(file): \(error.message)")
        }
        switch VMXFile.parse(text) {
        case .success(let entries): return entries
        case .failure(let problem): throw VMGAHPError.host(.critical, "VMWARE_LOCAL_SETTINGS_FILE \(file): \(problem.message)")
        }
    }

    /// A whole small text file (the job's .vmx is already confined).
    static func readSource(_ path: String) throws(VMGAHPError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw VMGAHPError.job(.badImage, "\(path) cannot be opened (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: VMXFile.maxSize + 1)
        var total = 0
        while total < bytes.count {
            let got = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + total, $0.count - total) }
            if got < 0, errno == EINTR { continue }
            guard got > 0 else { break }
            total += got
        }
        guard total <= VMXFile.maxSize else { throw VMGAHPError.job(.badImage, "\(path) is larger than \(VMXFile.maxSize) bytes") }
        guard let text = String(validating: bytes[0..<total], as: UTF8.self) else {
            throw VMGAHPError.job(.badImage, "\(path) is not UTF-8 text")
        }
        return text
    }
}
