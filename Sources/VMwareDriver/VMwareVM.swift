import Logging
import Synchronization
import VMCore

#if canImport(Glibc)
import Glibc
#endif

/// One VMware VM: its generated .vmx, the state the gahp knows, and the vmware-vmx pid.
///
/// The server runs one VM's requests in order, so the state needs a lock only against
/// teardown racing a late request.
final class VMwareVM: VirtualMachine {
    let name: String
    let vmx: String
    /// The job's own .vmx, left untouched by checkpoints.
    let original: String
    let workingDirectory: String
    let networking: Bool
    private let driver: VMwareDriver
    private let state = Mutex(Snapshot(power: .stopped, pid: 0))

    private struct Snapshot {
        var power: VMRunState
        var pid: Int
    }

    init(name: String, vmx: String, original: String, workingDirectory: String, networking: Bool, driver: VMwareDriver) {
        self.name = name
        self.vmx = vmx
        self.original = original
        self.workingDirectory = workingDirectory
        self.networking = networking
        self.driver = driver
    }

    private var logger: Logger { driver.logger }
    private var power: VMRunState { state.withLock { $0.power } }

    private func set(_ power: VMRunState, pid: Int? = nil) {
        state.withLock { s in
            s.power = power
            if let pid { s.pid = pid }
        }
    }

    func started(pid: Int) { set(.running, pid: pid) }

    // MARK: VirtualMachine

    func stop() async throws {
        switch power {
        case .stopped:
            return
        case .suspended:
            _ = try? await driver.runScript("unregister", vmx)
        case .softSuspended, .running:
            continueIfPaused()
            do {
                _ = try await driver.runScript("stop", vmx)
            } catch {
                logger.warning("\(name): stop failed (\(error)); killing its vmware-vmx")
                try await kill()
            }
            _ = try? await driver.runScript("unregister", vmx)
        }
        set(.stopped, pid: 0)
    }

    /// `killvm` on the .vmx, then SIGKILL of the pid the gahp knows, if it is still VMware's.
    private func kill() async throws {
        do {
            _ = try await driver.runScript("killvm", vmx)
        } catch {
            let pid = state.withLock { $0.pid }
            guard pid > 0, Self.isVMwareProcess(pid, vmx: vmx), Glibc.kill(pid_t(pid), SIGKILL) == 0 else { throw error }
        }
    }

    func suspend() async throws {
        switch power {
        case .suspended: return
        case .stopped: throw VMGAHPError.host(.invalidOperation, "\(name) is not running")
        case .softSuspended, .running:
            continueIfPaused()
            _ = try await driver.runScript("suspend", vmx)
            set(.suspended, pid: 0)
        }
    }

    /// SIGSTOP to vmware-vmx, as HTCondor: the guest keeps its memory and stops using CPU.
    /// Falls back to a hard suspend when the process cannot be found or signalled.
    func softSuspend() async throws {
        switch power {
        case .softSuspended: return
        case .stopped, .suspended: throw VMGAHPError.host(.invalidOperation, "\(name) is not running")
        case .running: break
        }
        var pid = state.withLock { $0.pid }
        if pid <= 0, let found = try? VMwareDriver.pid(await driver.runScript("getpid", vmx)) { pid = found }
        if pid > 0, Self.isVMwareProcess(pid, vmx: vmx), Glibc.kill(pid_t(pid), SIGSTOP) == 0 {
            set(.softSuspended, pid: pid)
            return
        }
        logger.notice("\(name): no vmware-vmx to stop (pid \(pid)); suspending instead")
        try await suspend()
    }

    func resume() async throws {
        switch power {
        case .running: return
        case .stopped: throw VMGAHPError.host(.invalidOperation, "\(name) is neither suspended nor running")
        case .softSuspended:
            continueIfPaused()
        case .suspended:
            let output = try await driver.runScript("resume", vmx)
            set(.running, pid: try VMwareDriver.pid(output))
        }
    }

    /// Suspends to disk and touches the files file transfer must send back, as HTCondor;
    /// the VM stays suspended.
    func checkpoint() async throws {
        guard power != .stopped else { throw VMGAHPError.host(.invalidOperation, "\(name) is not running") }
        do {
            try await suspend()
        } catch let error as VMGAHPError {
            throw VMGAHPError.host(.cannotCreateCheckpointFiles, error.message)
        }
        let touched = JobDirectory.touchForCheckpoint(workingDirectory, except: original)
        logger.info("\(name): checkpoint taken; touched \(touched.joined(separator: ", "))")
    }

    func status() async throws -> VMStatusReport {
        let known = state.withLock { $0 }
        // States only the gahp can leave: no need to ask VMware (Workstation's `vmrun list`
        // cannot tell a suspended VM from a stopped one, which the starter would take as the end).
        switch known.power {
        case .softSuspended: return VMStatusReport(state: .softSuspended)
        case .suspended: return VMStatusReport(state: .suspended)
        case .stopped: return .stopped
        case .running: break
        }
        let output = try await driver.runScript(networking ? "getvminfo" : "status", vmx)
        guard let status = output["STATUS"] else {
            throw VMGAHPError.host(.critical, "condor_vm_vmware status printed no STATUS=")
        }
        switch status {
        case "Running":
            let pid = try VMwareDriver.pid(output)
            set(.running, pid: pid > 0 ? pid : nil)
            return VMStatusReport(state: .running, pid: pid > 0 ? pid : known.pid,
                                  mac: output["MAC"].flatMap(Self.mac), ip: output["IP"].flatMap(Self.ip))
        case "Suspended":
            return VMStatusReport(state: .suspended)
        case "Stopped":
            if known.power == .running { logger.info("\(name): the guest has powered off") }
            set(.stopped, pid: 0)
            return .stopped
        default:
            throw VMGAHPError.host(.internal, "condor_vm_vmware status printed STATUS=\(ControlScript.oneLine(status))")
        }
    }

    func pid() async throws -> Int {
        let known = state.withLock { $0 }
        if known.pid > 0 || known.power != .running { return known.pid }
        let pid = try VMwareDriver.pid(await driver.runScript("getpid", vmx))
        if pid > 0 { set(.running, pid: pid) }
        return pid
    }

    func tearDown(until deadline: ContinuousClock.Instant) async -> Bool {
        do {
            try await stop()
            return true
        } catch {
            logger.error("\(name): could not stop the VM at teardown: \(error)")
            return false
        }
    }

    // MARK: the vmware-vmx process

    private func continueIfPaused() {
        let paused = state.withLock { $0 }
        guard paused.power == .softSuspended else { return }
        if paused.pid > 0, Self.isVMwareProcess(paused.pid, vmx: vmx) { _ = Glibc.kill(pid_t(paused.pid), SIGCONT) }
        set(.running)
    }

    /// Whether `pid` is still a vmware-vmx running this .vmx (its last argument), so a
    /// reused pid is never signalled.
    static func isVMwareProcess(_ pid: Int, vmx: String) -> Bool {
        guard let comm = readProc("/proc/\(pid)/comm"), String(decoding: comm, as: UTF8.self) == "vmware-vmx\n",
              let cmdline = readProc("/proc/\(pid)/cmdline")
        else { return false }
        let arguments = cmdline.split(separator: 0, omittingEmptySubsequences: true)
        return arguments.last.map { String(decoding: $0, as: UTF8.self) } == vmx
    }

    private static func readProc(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < 1 << 20 {
            let count = read(fd, &chunk, chunk.count)
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    /// `xx:xx:xx:xx:xx:xx`, lower-cased, or nil.
    static func mac(_ text: String) -> String? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        return text.lowercased()
    }

    /// A dotted IPv4 address or an IPv6 address (hex digits, colons and dots), or nil.
    static func ip(_ text: String) -> String? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) { return text }
        if text.contains(":"), text.count <= 45, text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) { return text }
        return nil
    }
}
