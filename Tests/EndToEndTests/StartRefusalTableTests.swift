import Foundation
import GAHPWire
import TestSupport
import Testing

/// Every refusal JobAdReader and the drivers can give a START, driven through the built
/// binaries as the starter drives them, with the class each must have (spec §6.2): a job
/// fault reports one of the 13 hold tokens, a host fault none of them. `explain-ad` must
/// show the same token and fault, and `VM_GAHP_LOG` the job's id and the reason.
@Suite struct StartRefusalTableTests {
    /// HTCondor's 13 hold tokens (vm_proc.cpp), written out rather than taken from VMCore.
    static let holdTokens: Set<String> = [
        "VMGAHP_ERR_JOBCLASSAD_NO_VM_MEMORY_PARAM", "VMGAHP_ERR_JOBCLASSAD_XEN_NO_KERNEL_PARAM",
        "VMGAHP_ERR_JOBCLASSAD_MISMATCHED_HARDWARE_VT", "VMGAHP_ERR_JOBCLASSAD_XEN_KERNEL_NOT_FOUND",
        "VMGAHP_ERR_JOBCLASSAD_XEN_INITRD_NOT_FOUND", "VMGAHP_ERR_JOBCLASSAD_XEN_NO_ROOT_DEVICE_PARAM",
        "VMGAHP_ERR_JOBCLASSAD_XEN_NO_DISK_PARAM", "VMGAHP_ERR_JOBCLASSAD_XEN_INVALID_DISK_PARAM",
        "VMGAHP_ERR_JOBCLASSAD_XEN_MISMATCHED_CHECKPOINT", "VMGAHP_ERR_JOBCLASSAD_KVM_NO_DISK_PARAM",
        "VMGAHP_ERR_JOBCLASSAD_KVM_INVALID_DISK_PARAM", "VMGAHP_ERR_JOBCLASSAD_KVM_MISMATCHED_CHECKPOINT",
        "VMGAHP_ERR_BAD_IMAGE",
    ]

    enum Fault: String { case job, host }

    /// One refusal: what to change in the base ad (nil removes), the token and whose fault.
    struct Row: CustomStringConvertible {
        var label: String
        var changes: [(String, String?)]
        var token: String
        var fault: Fault
        /// Refused by the ad reader (so `explain-ad` sees it too), not only by the driver.
        var byReader = true
        var description: String { label }
    }

    static func job(_ label: String, _ changes: [(String, String?)], _ token: String, byReader: Bool = true) -> Row {
        Row(label: label, changes: changes, token: "VMGAHP_ERR_" + token, fault: .job, byReader: byReader)
    }

    static func host(_ label: String, _ changes: [(String, String?)], _ token: String) -> Row {
        Row(label: label, changes: changes, token: "VMGAHP_ERR_" + token, fault: .host)
    }

    static let kvmRows: [Row] = [
        job("no memory", [("JobVMMemory", nil)], "JOBCLASSAD_NO_VM_MEMORY_PARAM"),
        job("memory not an integer", [("JobVMMemory", "512.5")], "JOBCLASSAD_NO_VM_MEMORY_PARAM"),
        job("zero memory", [("JobVMMemory", "0")], "JOBCLASSAD_NO_VM_MEMORY_PARAM"),
        job("more memory than VM_MEMORY", [("JobVMMemory", "99999")], "JOBCLASSAD_NO_VM_MEMORY_PARAM"),
        job("negative vCPUs", [("JobVM_VCPUS", "-1")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("more vCPUs than the host", [("JobVM_VCPUS", "9999")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("vCPUs as a string", [("JobVM_VCPUS", "\"two\"")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("networking not a boolean", [("JobVMNetworking", "\"yes\"")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("malformed MAC", [("JobVMNetworking", "true"), ("JobVM_MACADDR", "\"zz:zz\"")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("networking type not offered", [("JobVMNetworking", "true"), ("JobVMNetworkingType", "\"bridge\"")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("hardware VT not offered", [("JobVMHardwareVT", "true")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("VNC flag not a boolean", [("JobVMVNCConsole", "\"yes\"")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        job("unusable User", [("User", "\"bad user!@x\"")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("User not a string", [("User", "7")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("ProcId negative", [("ProcId", "-1")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("JobVMType not a string", [("JobVMType", "3")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("TransferInput not a string", [("TransferInput", "3")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("No_Output_VM not a boolean", [("VMPARAM_No_Output_VM", "\"x\"")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("no disk", [("VMPARAM_vm_Disk", nil)], "JOBCLASSAD_KVM_NO_DISK_PARAM"),
        job("malformed disk entry", [("VMPARAM_vm_Disk", "\"disk.img\"")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("disk the job user may not read", [("VMPARAM_vm_Disk", "\"/etc/shadow:vda:r:raw\"")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("writable ISO", [("VMPARAM_vm_Disk", "\"cd.iso:hdc:w\"")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("checkpoint with a transferred disk", [("JobVMCheckpoint", "true")], "JOBCLASSAD_KVM_MISMATCHED_CHECKPOINT"),
        job("checkpoint flag not a boolean", [("JobVMCheckpoint", "2.5")], "JOBCLASSAD_KVM_MISMATCHED_CHECKPOINT"),
        job("missing disk file", [("VMPARAM_vm_Disk", "\"gone.img:vda:w:raw\"")], "JOBCLASSAD_KVM_INVALID_DISK_PARAM"),
        job("empty file declared qcow2", [("VMPARAM_vm_Disk", "\"empty.img:vda:w:qcow2\"")], "BAD_IMAGE", byReader: false),
        host("no VM_WORKING_DIR", [("VM_WORKING_DIR", nil)], "NO_JOBCLASSAD_INFO"),
        host("no JobVMType", [("JobVMType", nil)], "NO_JOBCLASSAD_INFO"),
        host("JobVMType of another hypervisor", [("JobVMType", "\"xen\"")], "NO_SUPPORTED_VM_TYPE"),
        host("no User", [("User", nil)], "CRITICAL"),
        host("no ClusterId", [("ClusterId", nil)], "CRITICAL"),
    ]

    static let xenRows: [Row] = [
        job("Xen without kernel", [("VMPARAM_Xen_Kernel", nil)], "JOBCLASSAD_XEN_NO_KERNEL_PARAM"),
        job("Xen kernel missing", [("VMPARAM_Xen_Kernel", "\"nokernel\"")], "JOBCLASSAD_XEN_KERNEL_NOT_FOUND"),
        job("Xen initrd missing", [("VMPARAM_Xen_Initrd", "\"noinitrd\"")], "JOBCLASSAD_XEN_INITRD_NOT_FOUND"),
        job("Xen kernel without root", [("VMPARAM_Xen_Root", nil)], "JOBCLASSAD_XEN_NO_ROOT_DEVICE_PARAM"),
        job("Xen unsafe kernel parameters", [("VMPARAM_Xen_Kernel_Params", "\"a<b\"")], "JOBCLASSAD_XEN_NO_KERNEL_PARAM"),
        job("Xen without disk", [("VMPARAM_vm_Disk", nil)], "JOBCLASSAD_XEN_NO_DISK_PARAM"),
        job("Xen unusable User", [("User", "\"bad user!@x\"")], "JOBCLASSAD_XEN_INVALID_DISK_PARAM"),
        job("Xen more vCPUs than the host", [("JobVM_VCPUS", "9999")], "JOBCLASSAD_MISMATCHED_HARDWARE_VT"),
        host("Xen included kernel without XEN_BOOTLOADER", [("VMPARAM_Xen_Kernel", "\"included\"")], "CRITICAL"),
    ]

    static func baseAd(vmType: String, workingDirectory: String, cluster: Int) -> [(String, String?)] {
        var ad: [(String, String?)] = [
            ("VM_WORKING_DIR", "\"\(workingDirectory)\""), ("ClusterId", "\(cluster)"), ("ProcId", "0"),
            ("User", "\"alice@submit.example.org\""), ("JobVMType", "\"\(vmType)\""), ("JobVMMemory", "64"),
            ("JobVM_VCPUS", "1"), ("VMPARAM_vm_Disk", "\"disk.img:vda:w:raw\""),
        ]
        if vmType == "xen" {
            ad += [("VMPARAM_Xen_Kernel", "\"vmlinuz\""), ("VMPARAM_Xen_Initrd", "\"initrd.img\""), ("VMPARAM_Xen_Root", "\"/dev/xvda\"")]
        }
        return ad
    }

    static func apply(_ changes: [(String, String?)], to base: [(String, String?)]) -> [String] {
        var ad = base
        for (name, value) in changes {
            if let index = ad.firstIndex(where: { $0.0 == name }) { ad[index].1 = value } else { ad.append((name, value)) }
        }
        return ad.compactMap { name, value in value.map { "\(name) = \($0)" } }
    }

    /// Runs every row through one gahp (one START each), then checks log and explain-ad.
    private func run(_ rows: [Row], vmType: String, binary: String, extraConfig: String) async throws {
        let binaryURL = TestPaths.product(binary)
        guard FileManager.default.isExecutableFile(atPath: binaryURL.path) else {
            Issue.record("\(binaryURL.path) is not built (swift build)")
            return
        }
        let work = try TemporaryDirectory(prefix: "refusals-work")
        let etc = try TemporaryDirectory(prefix: "refusals-etc")
        try work.write("disk.img", String(repeating: "\0", count: 4096))
        try work.write("empty.img")
        try work.write("cd.iso", "iso")
        try work.write("vmlinuz", "kernel")
        try work.write("initrd.img", "initrd")
        let log = etc.url.appendingPathComponent("VMGahpLog").path
        let config = try etc.write("condor_config", """
            VM_TYPE = \(vmType)
            VM_MEMORY = 1024
            VM_NETWORKING = true
            VM_NETWORKING_TYPE = nat
            VM_HARDWARE_VT = false
            VM_GAHP_LOG = \(log)
            \(extraConfig)

            """)
        let environment = [
            "CONDOR_CONFIG": config, "VMGAHP_WORKING_DIR": work.path, "VMGAHP_VMTYPE": vmType,
            "VMGAHP_USER_UID": "65534", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        ]
        let gahp = try GahpProcess(executable: binaryURL, arguments: ["-f", "-M", "3"], environment: environment, directory: work.path)
        #expect(await gahp.next() == GAHPVersion.banner)
        var clusters: [Int] = []
        for (index, row) in rows.enumerated() {
            let cluster = 9000 + index
            clusters.append(cluster)
            let ad = Self.apply(row.changes, to: Self.baseAd(vmType: vmType, workingDirectory: work.path, cluster: cluster))
            #expect(await gahp.request("CLASSAD") == "S")
            for line in ad { gahp.send(line) }
            #expect(await gahp.request("CLASSAD_END") == "S")
            let request = index + 2
            #expect(await gahp.request("CONDOR_VM_START \(request) \(vmType)") == "S", "\(row)")
            let result = await gahp.results().first ?? "no result"
            #expect(result == "\(request) 1 \(row.token)", "\(row)")
            #expect(GAHPArguments.split(result).count == 3)
            #expect(Self.holdTokens.contains(row.token) == (row.fault == .job), "\(row): the table itself is wrong")

            if row.byReader {
                let adFile = try etc.write("job-\(index).ad", ad.joined(separator: "\n") + "\n")
                let explained = try explainJSON(binary: binaryURL, ad: adFile, vmType: vmType, environment: environment)
                #expect(explained?["token"] as? String == row.token, "\(row): explain-ad")
                #expect(explained?["fault"] as? String == row.fault.rawValue, "\(row): explain-ad")
                #expect(explained?["holds"] as? Bool == (row.fault == .job), "\(row): explain-ad")
            }
        }
        #expect(await gahp.request("QUIT") == "S")
        #expect(await gahp.exitStatus() == 0)
        let logText = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        for (row, cluster) in zip(rows, clusters) where row.changes.allSatisfy({ $0.0 != "ClusterId" && $0.0 != "ProcId" }) {
            #expect(logText.contains("for job \(cluster).0 refused, \(row.fault.rawValue) fault: \(row.token)"), "\(row): VM_GAHP_LOG")
        }
    }

    /// explain-ad's `refused` object for an ad file.
    private func explainJSON(binary: URL, ad: String, vmType: String, environment: [String: String]) throws -> [String: Any]? {
        let process = Process()
        process.executableURL = binary
        process.arguments = ["explain-ad", ad, "--json", "--vmtype", vmType]
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let last = String(decoding: data, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        return object?["refused"] as? [String: Any]
    }

    @Test func kvmRefusalsThroughCondorVMGahpOnTheTestDriver() async throws {
        try await run(Self.kvmRows, vmType: "kvm", binary: "condor_vm-gahp", extraConfig: "VM_LIBVIRT_URI = test:///default")
    }

    @Test func xenRefusalsThroughTheFakeDriverBinary() async throws {
        try await run(Self.xenRows, vmType: "xen", binary: "vm-gahp-fake", extraConfig: "")
    }

    @Test func anUnreachableHypervisorIsAHostFault() async throws {
        let socket = try TemporaryDirectory(prefix: "refusals-nosock")
        let rows = [Row(label: "libvirtd unreachable", changes: [], token: "VMGAHP_ERR_CRITICAL", fault: .host, byReader: false)]
        try await run(rows, vmType: "kvm", binary: "condor_vm-gahp",
            extraConfig: "VM_LIBVIRT_URI = qemu+unix:///system?socket=\(socket.path)/no-such-socket")
    }
}
