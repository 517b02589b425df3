import JobAd
import Logging
import Synchronization
import VMCore

#if canImport(Glibc)
import Glibc
#endif

/// The VMware driver: every operation is a run of our control script
/// (`scripts/condor_vm_vmware`, see `ControlScript`), as the job's user; the gahp itself
/// only writes the VM's .vmx, signals the VM's process for soft suspends, and keeps state.
public final class VMwareDriver: VMDriver {
    public let settings: VMwareSettings
    let policy: HostPolicy
    let logger: Logger
    let jobOwner: FileOwner?
    /// `VMGAHP_WORKING_DIR` as the starter gave it, before any symlink is resolved.
    let givenWorkingDirectory: String?
    let script: ControlScript
    /// What `check` said about the product, asked once.
    private let product = Mutex<ProductFacts?>(nil)

    struct ProductFacts: Sendable, Equatable {
        var flavour: String
        var version: String
        var snapshots: Bool
    }

    /// Refuses (a host problem) when VMWARE_PERL, VMWARE_SCRIPT or the VMware tools are not
    /// usable, so neither the probe nor the server offers `vmware` on such a host.
    public init(_ context: DriverContext) throws {
        settings = VMwareSettings(context)
        if let problem = VMwareHostCheck.problem(settings, path: context.environment["PATH"]) {
            throw VMGAHPError.host(.critical, problem)
        }
        policy = context.policy
        logger = context.logger
        jobOwner = context.jobOwner
        givenWorkingDirectory = context.workingDirectory
        script = ControlScript(
            perl: settings.perl, script: settings.script ?? "", timeout: settings.scriptTimeout,
            user: context.jobOwner.map(JobUser.init), userSwitch: context.userSwitch, environment: context.environment,
            workingDirectory: context.workingDirectory, logger: context.logger)
    }

    // MARK: VMDriver

    public func probe() async throws -> HostCapabilities {
        let facts = try await productFacts()
        let types = policy.networkingTypes.filter { settings.connectionType(for: $0) != nil }
        return HostCapabilities(networkingTypes: types, extraAttributes: [
            MachineAttribute("VMware_Product", .string(facts.flavour)),
            MachineAttribute("VMware_Version", .string(facts.version)),
            MachineAttribute("VMware_Snapshots", .boolean(facts.snapshots)),
        ])
    }

    public func start(_ job: JobDescription) async throws -> any VirtualMachine {
        guard job.vmType == "vmware", let files = job.vmware else {
            throw VMGAHPError.host(.noSupportedVMType, "job type \(job.vmType) on a vmware gahp")
        }
        for directory in [givenWorkingDirectory, job.workingDirectory].compactMap({ $0 }) {
            if let link = JobDirectory.symlinkComponent(of: directory) {
                throw VMGAHPError.host(.critical,
                    "the working directory \(directory) goes through the symbolic link \(link); VMware fails on such paths, so EXECUTE must name the directory without links")
            }
        }
        // Asked once per gahp: later runs are told the product and skip detecting it.
        if try await !productFacts().snapshots, files.snapshotDisk {
            throw VMGAHPError.job(.mismatchedHardwareVT,
                "the job asks for a disk snapshot (vmware_snapshot_disk), which VMware Player cannot take; START should reject such jobs on this host")
        }
        let text = try VMXBuilder(job: job, settings: settings, allowedRoots: policy.allowedDiskRoots, jobUser: jobOwner).build()
        let name = Self.vmxName(for: job.name)
        try JobDirectory.createExclusively(name, in: job.workingDirectory, text: text, owner: jobOwner)
        let vmx = job.workingDirectory + "/" + name
        logger.info("\(job.name): wrote \(vmx) from \(files.vmxFile)")
        let vm = VMwareVM(name: job.name, vmx: vmx, original: files.vmxFile, workingDirectory: job.workingDirectory,
                          networking: job.networking != nil, driver: self)
        do {
            if files.snapshotDisk { _ = try await runScript("snapshot", vmx) }
            let output = try await runScript("start", vmx)
            vm.started(pid: try Self.pid(output))
        } catch {
            // VMware may have come up after all (a start that timed out): leave nothing running.
            _ = try? await runScript("killvm", vmx)
            _ = try? await runScript("unregister", vmx)
            throw error
        }
        return vm
    }

    /// Kill mode: every vmware-vmx of a .vmx this driver wrote for the VM `name` (its file
    /// name holds the name and a `~`, which VM names cannot contain). As root, as HTCondor.
    /// The script's own timeout bounds the wait; `killvm` returns once no such process is left.
    public func destroy(name: String, until deadline: ContinuousClock.Instant) async throws {
        let match = name.hasPrefix("/") ? name : "/" + name + "~"
        _ = try await runScript("killvm", match, asRoot: true)
    }

    public func explain(_ job: JobDescription) throws -> String? {
        try VMXBuilder(job: job, settings: settings, allowedRoots: policy.allowedDiskRoots, jobUser: jobOwner).build()
    }

    // MARK: helpers for VMwareVM

    /// `<name>~<random>.vmx`: unique, and findable by kill mode.
    static func vmxName(for name: String) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return name + "~" + String((0..<8).map { _ in letters.randomElement()! }) + ".vmx"
    }

    /// Runs one sub-command; a non-zero exit becomes a host failure carrying the script's
    /// message (whose fault a VMware refusal is cannot be told from its text).
    func runScript(_ command: String, _ arguments: String..., asRoot: Bool = false) async throws -> ScriptOutput {
        do {
            return try await script.run(command, arguments, asRoot: asRoot, product: product.withLock { $0?.flavour })
        } catch let failure as ControlScript.Failure {
            throw VMGAHPError.host(.internal, "condor_vm_vmware \(failure.command): \(failure.message)")
        }
    }

    /// `PID=` from the script, 0 when absent or unknown.
    static func pid(_ output: ScriptOutput) throws(VMGAHPError) -> Int {
        guard let text = output["PID"] else { return 0 }
        guard text.count <= 10, let pid = Int(text), pid >= 0 else {
            throw VMGAHPError.host(.internal, "condor_vm_vmware printed PID=\(ControlScript.oneLine(text)), not a process id")
        }
        return pid
    }

    func productFacts() async throws -> ProductFacts {
        if let known = product.withLock({ $0 }) { return known }
        let output = try await runScript("check")
        guard let flavour = output["PRODUCT"], ["ws", "player", "server"].contains(flavour) else {
            throw VMGAHPError.host(.internal, "condor_vm_vmware check did not name the product (PRODUCT=ws|player|server)")
        }
        let facts = ProductFacts(flavour: flavour, version: output["VERSION"] ?? "unknown", snapshots: output["SNAPSHOT"] == "TRUE")
        product.withLock { $0 = facts }
        logger.info("VMware \(flavour) \(facts.version), snapshots \(facts.snapshots ? "supported" : "not supported")")
        return facts
    }
}
