import Foundation
import TestSupport

/// One test's simulated VMware host (Tests/VMwareSimulator): a state directory, a job
/// working directory holding the corpus ad's files, and the environment that puts the
/// simulated `vmrun` and `vmware-cmd` first in PATH.
///
/// Every vmware-vmx stand-in the host recorded is killed when the value goes away, so a
/// failing test leaves no process behind.
final class SimulatedHost: @unchecked Sendable {
    let root: TemporaryDirectory
    let product: String
    var state: String { root.path + "/state" }
    var job: String { root.path + "/job" }

    static let bin = TestPaths.packageRoot.appendingPathComponent("Tests/VMwareSimulator/bin").path
    static let script = TestPaths.packageRoot.appendingPathComponent("scripts/condor_vm_vmware").path

    /// - Parameter owner: uid that must be able to use the state and job directories.
    init(product: String = "ws", owner: UInt32? = nil) throws {
        root = try TemporaryDirectory(prefix: "vmware-sim")
        self.product = product
        for dir in [state, job, state + "/fail", state + "/hang"] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        try writeJobFiles()
        if let owner {
            for path in [root.path, state, job, state + "/fail", state + "/hang"] + jobFiles.map({ job + "/" + $0 }) {
                _ = chown(path, owner, owner)
            }
        }
    }

    var environment: [String: String] {
        ["PATH": "\(Self.bin):/usr/bin:/bin", "VMWARE_SIM_STATE": state, "VMWARE_SIM_PRODUCT": product]
    }

    /// HTCondor configuration for the gahp, as `_CONDOR_` variables.
    func configuration(timeout: Int = 30, script: String = SimulatedHost.script) -> [String: String] {
        ["_CONDOR_VMWARE_SCRIPT": script, "_CONDOR_VMWARE_PERL": "perl", "_CONDOR_VMWARE_SCRIPT_TIMEOUT": String(timeout)]
    }

    let jobFiles = ["winxp.vmx", "winxp.vmdk", "winxp-s001.vmdk"]

    static let vmx = """
        .encoding = "UTF-8"
        config.version = "8"
        virtualHW.version = "7"
        guestOS = "winxppro"
        memsize = "256"
        displayName = "Windows XP"
        scsi0.present = "TRUE"
        scsi0.virtualDev = "lsilogic"
        scsi0:0.present = "TRUE"
        scsi0:0.fileName = "winxp.vmdk"
        scsi0:0.mode = "independent-persistent"
        ide1:0.present = "TRUE"
        ide1:0.deviceType = "cdrom-raw"
        ide1:0.fileName = "/dev/cdrom"
        floppy0.present = "TRUE"
        floppy0.fileType = "device"
        floppy0.fileName = "/dev/fd0"
        serial0.present = "TRUE"
        serial0.fileName = "/dev/ttyS0"
        ethernet0.present = "TRUE"
        ethernet0.virtualDev = "e1000"
        ethernet0.connectionType = "bridged"
        sharedFolder0.hostPath = "/etc"
        nvram = "winxp.nvram"

        """

    static func descriptor(extent: String, parent: String? = nil, createType: String = "twoGbMaxExtentSparse") -> String {
        """
        # Disk DescriptorFile
        version=1
        CID=fffffffe
        parentCID=ffffffff
        createType="\(createType)"
        \(parent.map { "parentFileNameHint=\"\($0)\"" } ?? "")

        # Extent description
        RW 4192256 SPARSE "\(extent)"

        # The Disk Data Base
        ddb.virtualHWVersion = "7"

        """
    }

    /// A hosted sparse extent header (`KDMV`) without an embedded descriptor.
    static let sparseExtent: Data = {
        var bytes = [UInt8](repeating: 0, count: 512)
        bytes.replaceSubrange(0..<4, with: Array("KDMV".utf8))
        bytes[4] = 1
        return Data(bytes)
    }()

    private func writeJobFiles() throws {
        try Self.vmx.write(toFile: job + "/winxp.vmx", atomically: false, encoding: .utf8)
        try Self.descriptor(extent: "winxp-s001.vmdk").write(toFile: job + "/winxp.vmdk", atomically: false, encoding: .utf8)
        try Self.sparseExtent.write(to: URL(fileURLWithPath: job + "/winxp-s001.vmdk"))
    }

    /// The corpus ad `vmware-transfer` moved into this host's job directory, plus `extra` lines.
    func adLines(_ extra: [String] = []) throws -> [String] {
        try JobAdFixture.lines("vmware-transfer", workingDirectory: job) + extra
    }

    // MARK: faults

    func fail(_ command: String, _ message: String = "simulated failure") throws {
        try message.write(toFile: state + "/fail/" + command, atomically: false, encoding: .utf8)
    }

    func hang(_ command: String) throws {
        try "".write(toFile: state + "/hang/" + command, atomically: false, encoding: .utf8)
    }

    /// The pid of the simulated tool that hung in `command`.
    func hungPid(_ command: String) -> Int32? {
        (try? String(contentsOfFile: state + "/hang/\(command).pid", encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    // MARK: the simulator's state

    /// The simulator's record of the VM whose vmx is `path`: power, pid, registered, snapshots.
    func vm(_ path: String) -> [String: String]? {
        records().first { $0["path"] == path }
    }

    func records() -> [[String: String]] {
        let dir = state + "/vms"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { !$0.hasSuffix(".tmp") }.sorted().compactMap { name in
            guard let text = try? String(contentsOfFile: dir + "/" + name, encoding: .utf8) else { return nil }
            var record: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                if parts.count == 2 { record[String(parts[0])] = String(parts[1]) }
            }
            return record
        }
    }

    /// Every tool invocation, arguments split.
    func calls() -> [[String]] {
        let text = (try? String(contentsOfFile: state + "/calls.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The VM sub-commands that were run (`start`, `snapshot`, ...) in order, detection left out.
    func operations() -> [String] {
        calls().compactMap { call in
            guard call.first == "vmrun" else { return nil }
            let rest = call.dropFirst().first == "-T" ? Array(call.dropFirst(3)) : Array(call.dropFirst())
            return rest.first.flatMap { $0 == "list" ? nil : $0 }
        }
    }

    /// The generated .vmx in the job directory (name `<vm name>~<random>.vmx`).
    var generatedVMX: String? {
        ((try? FileManager.default.contentsOfDirectory(atPath: job)) ?? []).first { $0.contains("~") && $0.hasSuffix(".vmx") }.map { job + "/" + $0 }
    }

    /// The pid the simulator recorded for the generated .vmx's vmware-vmx, when it runs.
    var vmxPid: Int32? {
        generatedVMX.flatMap { vm($0)?["pid"] }.flatMap { Int32($0) }.flatMap { $0 > 0 ? $0 : nil }
    }

    deinit {
        for record in records() {
            if let pid = record["pid"].flatMap({ Int32($0) }), pid > 0, Self.processState(pid) != nil { kill(pid, SIGKILL) }
        }
        for command in ["start", "stop", "suspend", "snapshot", "list", "getpid"] {
            if let pid = hungPid(command), Self.processState(pid) != nil { kill(pid, SIGKILL) }
        }
    }

    /// The state letter of a live process (`S`, `R`, `T` for stopped), nil when it is gone
    /// (zombies count as gone: in a container nothing may reap them soon).
    static func processState(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let letter = stat[stat.index(close, offsetBy: 2)]
        return letter == "Z" || letter == "X" ? nil : letter
    }

    /// Live processes started for this host (the simulated tools, vmware-vmx stand-ins, the
    /// script): their command lines name a file under its directory.
    func liveProcesses() -> [Int32] {
        let me = getpid()
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard pid != me, Self.processState(pid) != nil,
                  let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(root.path)
        }
    }

    /// Waits (bounded) until nothing of this host runs any more.
    func waitUntilNothingRuns(timeout: Duration = .seconds(20)) async -> [Int32] {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            let live = liveProcesses()
            if live.isEmpty || clock.now >= deadline { return live }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Waits (bounded) for a signalled process to reach one of `states`: a stop or continue
    /// takes effect only when the process next runs, which on a loaded host takes a while.
    static func waitForState(_ pid: Int32, _ states: Character..., timeout: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while !(processState(pid).map(states.contains) ?? false) {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits (bounded) for a killed process to die; the kernel needs a moment.
    static func waitUntilGone(_ pid: Int32, timeout: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while processState(pid) != nil {
            if clock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
