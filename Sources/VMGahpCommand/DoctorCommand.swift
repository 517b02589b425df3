import ArgumentParser
import HTCondorConfig
import Logging
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// `condor_vm-gahp doctor`: whether this host can run VM jobs of a type, and for each thing
/// that stops it, the fix. The checks that do not depend on the hypervisor live here; the
/// driver registered for the type adds its own (`DriverRegistry.Entry.doctor`).
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check whether this host can run VM jobs, and say how to fix what stops it.",
        discussion: """
            Checks, in order: the configuration and VM_MEMORY; the driver's own checks (for kvm and xen: \
            /dev/kvm or Xen's domain 0, the libvirt daemon at VM_LIBVIRT_URI with its versions, the network \
            'default' for nat and the bridge for bridge, XEN_BOOTLOADER); the execute directory; with \
            --start-test a throw-away VM started and destroyed; and the attribute lines the startd will \
            publish. Exit status 0 when the host can run VM jobs of the type, 1 when it cannot.
            """)

    @Argument(help: "The VM type (kvm, xen, vmware); default: VM_TYPE from the configuration.")
    var vmtype: String?

    @Flag(help: "Also start a throw-away VM and destroy it again.")
    var startTest = false

    @Flag(help: "One JSON object instead of text.")
    var json = false

    /// Runs every check and prints the report; returns the exit status.
    func run(registry: DriverRegistry, environment: [String: String]) async -> Int32 {
        var report = DoctorReport(vmType: vmtype?.lowercased())
        await examine(registry: registry, environment: environment, into: &report)
        print(json ? report.json : report.text, terminator: "")
        return report.canRunJobs ? 0 : 1
    }

    private func examine(registry: DriverRegistry, environment: [String: String], into report: inout DoctorReport) async {
        let config: HTCondorConfig
        do {
            config = try HTCondorConfig.load(environment: environment)
        } catch {
            report.add(.fail("configuration", error.description,
                fix: "point CONDOR_CONFIG at HTCondor's configuration file (or create /etc/condor/condor_config) and correct the place named"))
            return
        }
        report.add(.pass("configuration", "read " + config.filesRead.joined(separator: ", ")))
        guard let memory = config.value("VM_MEMORY") else {
            report.add(.fail("VM_MEMORY", "not set: the gahp refuses to run without it",
                fix: "add 'VM_MEMORY = <MiB>' (the most memory one VM may have, e.g. 4096) to a file in /etc/condor/config.d/"))
            return
        }
        let settings: HostSettings
        do {
            settings = try HostSettings.derive(from: config, environment: environment)
        } catch {
            report.add(.fail("configuration values", error.description, fix: "correct the setting where it is defined"))
            return
        }
        report.add(.pass("VM_MEMORY", "\(memory.trimmingBlanks) MiB"))
        for note in settings.notes {
            report.add(.warn("configuration values", note, fix: "correct or remove the setting"))
        }

        guard let vmType = report.vmType ?? config.value("VM_TYPE")?.trimmingBlanks.lowercased() else {
            report.add(.fail("VM type", "none given and VM_TYPE is not set", fix: "name one ('condor_vm-gahp doctor kvm') or set VM_TYPE = kvm"))
            return
        }
        report.vmType = vmType
        guard let entry = registry.entry(for: vmType) else {
            report.add(.fail("VM type", "this gahp has no driver for '\(vmType)' (it has: \(registry.entries.flatMap(\.vmTypes).joined(separator: ", ")))",
                fix: "set VM_TYPE to a type this gahp serves"))
            return
        }
        if entry.isUsable(vmType) {
            report.add(.pass("VM type", "\(vmType) is served by this gahp"))
        } else {
            report.add(.fail("VM type", "the \(vmType) driver finds nothing here to run VMs with", fix: "see the driver's checks below"))
        }

        let logger = Logger(label: "vmgahp", factory: { _ in SwiftLogNoOpLogHandler() })
        let context = settings.driverContext(vmType: vmType, workingDirectory: nil, logger: logger)
        if let doctor = entry.doctor {
            report.add(contentsOf: await doctor.checks(context))
        } else {
            report.add(.skip("\(vmType) driver", "the driver contributes no checks of its own"))
        }
        report.add(ExecuteDirectory.check(config.value("EXECUTE")?.trimmingBlanks))

        switch (startTest, entry.doctor?.startTest) {
        case (false, _):
            report.add(.skip("start test", "not asked for (--start-test starts and destroys a throw-away VM)"))
        case (true, nil):
            report.add(.skip("start test", "the \(vmType) driver cannot run one"))
        case (true, let test?):
            report.add(await Scratch.withDirectory { directory in await test(context, directory) })
        }

        await probe(entry: entry, vmType: vmType, settings: settings, logger: logger, into: &report)
    }

    /// The last check: exactly what the startd's probe (`-M 0`) will print.
    private func probe(entry: DriverRegistry.Entry, vmType: String, settings: HostSettings, logger: Logger, into report: inout DoctorReport) async {
        let title = "startd probe (-M 0 vmtype \(vmType))"
        let capabilities: HostCapabilities
        do {
            let driver = try entry.make(settings.driverContext(vmType: vmType, workingDirectory: nil, logger: logger))
            switch await withDeadline(ProbeMode.deadline, { try await driver.probe() }) {
            case .timedOut: throw ProbeTimeout(deadline: ProbeMode.deadline)
            case .finished(let result): capabilities = try result.get()
            }
        } catch {
            report.add(.fail(title, "the probe fails (\(error)): the startd publishes nothing, so HasVM is false here",
                fix: "fix the failures above"))
            return
        }
        report.attributes = ProbeMode.attributes(vmType: vmType, policy: settings.policy, capabilities: capabilities).map(\.line)
        report.add(.pass(title, "answers; the startd will publish the lines below"))
    }

    struct ProbeTimeout: Error, CustomStringConvertible {
        var deadline: Duration
        var description: String { "no answer within \(deadline)" }
    }
}

/// `EXECUTE`, where the starter makes each job's directory: the gahp confines job files to
/// the real path of that directory, so a symbolic link on the way breaks every job.
enum ExecuteDirectory {
    static func check(_ configured: String?) -> HostCheck {
        let title = "execute directory"
        guard let path = configured, path.hasPrefix("/") else {
            return .warn(title, configured.map { "EXECUTE = \($0) is not an absolute path" } ?? "EXECUTE is not set",
                fix: "set EXECUTE to an absolute directory on local disk (HTCondor's default: $(LOCAL_DIR)/execute)")
        }
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var st = stat()
            guard lstat(prefix, &st) == 0 else {
                return .warn(title, "\(path) does not exist (\(prefix) is missing)", fix: "create it: 'mkdir -p \(path)' (the startd also creates it at start)")
            }
            if st.st_mode & S_IFMT == S_IFLNK {
                let target = realpath(prefix, nil).map { pointer in
                    defer { free(pointer) }
                    return String(cString: pointer)
                } ?? "a missing target"
                return .fail(title, "\(prefix) is a symbolic link (to \(target)): job files reached through it are refused",
                    fix: "set EXECUTE to the real path, \(target + path.dropFirst(prefix.count))")
            }
        }
        var st = stat()
        guard stat(path, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else {
            return .fail(title, "\(path) is not a directory", fix: "set EXECUTE to a directory")
        }
        return .pass(title, "\(path), free of symbolic links")
    }
}

/// A scratch directory for the start test, readable by the hypervisor's user (QEMU runs as
/// libvirt-qemu, not root), removed afterwards with whatever the test left in it.
enum Scratch {
    static func withDirectory(_ body: (String) async -> HostCheck) async -> HostCheck {
        var template = Array("/tmp/vmgahp-doctor-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else {
            return .fail("start test", "cannot create a scratch directory in /tmp: \(String(cString: strerror(errno)))", fix: "make /tmp writable")
        }
        let directory = String(cString: made)
        chmod(directory, 0o755)
        defer { removeTree(directory) }
        return await body(directory)
    }

    /// The directory and the plain files in it (the test creates nothing deeper).
    private static func removeTree(_ directory: String) {
        if let dir = opendir(directory) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != ".", name != ".." { unlink(directory + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(directory)
    }
}

extension StringProtocol {
    var trimmingBlanks: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
