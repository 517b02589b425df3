import Foundation
import Logging
import TestSupport
import VMCore

/// A real libvirtd with QEMU for the KVM end-to-end tests, and the boot-sector guest.
///
/// Runs only as root (a system libvirtd needs it); otherwise `KVMHost.unavailable` says
/// why and the tests print it and return. Missing libvirt or QEMU is a failure, not a skip:
/// the test command (scripts/test.sh) installs them. The daemon is started only when none
/// answers, and only a daemon these tests started is ever stopped (by pid, through
/// scripts/libvirtd-ctl.sh).
enum KVMHost {
    static let uri = "qemu:///system"
    static let scripts = TestPaths.packageRoot.appendingPathComponent("scripts")

    static var unavailable: String? {
        getuid() == 0 ? nil : "not root: a system libvirtd and its guests need root"
    }

    static func requireTools() throws {
        for tool in ["/usr/sbin/libvirtd", "/usr/bin/qemu-system-x86_64", "/usr/bin/virsh", "/usr/bin/qemu-img", "/usr/bin/as"]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            throw KVMTestError("\(tool) is not installed: run scripts/install-deps.sh")
        }
    }

    /// Runs a program (never a shell) and returns its exit status and combined output.
    ///
    /// posix_spawn + waitpid rather than Foundation's Process, whose exit monitoring lost
    /// the exit of `libvirtd-ctl.sh start` (a script that daemonises libvirtd) and hung.
    /// Output goes to a file, not a pipe, for the same reason: a daemon keeps pipes open.
    @discardableResult
    static func run(_ program: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> (status: Int32, output: String) {
        let capture = FileManager.default.temporaryDirectory.appendingPathComponent("kvm-e2e-\(UUID().uuidString).out").path
        defer { try? FileManager.default.removeItem(atPath: capture) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, capture, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = ([program] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, program, &actions, nil, argv, environ)
        guard spawned == 0 else { throw KVMTestError("cannot run \(program): errno \(spawned)") }
        var status: Int32 = 0
        let deadline = Date().addingTimeInterval(timeout)
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL) }
            usleep(20_000)
        }
        let output = (try? String(contentsOfFile: capture, encoding: .utf8)) ?? ""
        let exited = (status & 0x7f) == 0
        return (exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), output)
    }

    static func virsh(_ arguments: String...) throws -> (status: Int32, output: String) {
        try run("/usr/bin/virsh", ["-q", "-c", uri] + arguments, timeout: 30)
    }

    /// `kvm` when libvirt can run KVM domains here, else `qemu` (TCG).
    static func domainType() throws -> String {
        if FileManager.default.fileExists(atPath: "/dev/kvm"), try virsh("domcapabilities", "--virttype", "kvm").status == 0 {
            return "kvm"
        }
        print("NOTE: KVM is not usable through libvirt here; the guest runs under TCG (type='qemu')")
        return "qemu"
    }

    /// Builds the boot-sector guest images into `directory`.
    static func buildGuest(in directory: String, selfOffAfter heartbeats: Int = 2) throws {
        let result = try run(scripts.appendingPathComponent("make-bootsector.sh").path, [directory, String(heartbeats)])
        guard result.status == 0 else { throw KVMTestError("make-bootsector.sh failed: \(result.output)") }
    }

    static let logger = Logger(label: "kvm-e2e") { _ in SwiftLogNoOpLogHandler() }

    static func context(domainType: String, workingDirectory: String) -> DriverContext {
        let knobs = ["VM_LIBVIRT_URI": uri, "VM_LIBVIRT_DOMAIN_TYPE": domainType, "VM_GAHP_STOP_GRACE": "10"]
        return DriverContext(
            vmType: "kvm", policy: HostPolicy(maxMemoryMiB: 256), workingDirectory: workingDirectory,
            setting: { knobs[$0.uppercased()] }, logger: logger)
    }

    /// Waits (polling, bounded) until the guest's console log holds `text` `count` times.
    static func waitForConsole(_ log: String, _ text: String, count: Int = 1, within seconds: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let data = FileManager.default.contents(atPath: log),
                String(decoding: data, as: UTF8.self).components(separatedBy: text).count - 1 >= count
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw KVMTestError("no \(count)× '\(text)' in \(log) within \(seconds) s")
    }

    static func console(_ log: String) -> String {
        FileManager.default.contents(atPath: log).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// Whether libvirt still lists the domain.
    static func domainExists(_ name: String) throws -> Bool {
        try virsh("domstate", name).status == 0
    }

    /// Destroys the named domains whatever happened (guests must never outlive a test).
    ///
    /// Asks to destroy rather than first asking whether the domain exists: a daemon that is
    /// restarting or overloaded fails both questions alike, and a failed existence check
    /// used to leave its guest running. Any failure but "no such domain" is tried again.
    static func destroy(_ names: [String]) {
        for name in names {
            for attempt in 1...5 {
                guard let result = try? virsh("destroy", name) else { break }
                if result.status == 0 || result.output.contains("failed to get domain") { break }
                print("NOTE: virsh destroy \(name) failed (attempt \(attempt)): \(result.output)")
                usleep(500_000)
            }
        }
    }
}

/// The system libvirtd for one test: reused when one answers, else started and later stopped.
struct LibvirtDaemon {
    let startedByUs: Bool
    static let pidFile = "/run/vmgahp-libvirtd.pid"

    static func ensure() throws -> LibvirtDaemon {
        try KVMHost.requireTools()
        let ctl = KVMHost.scripts.appendingPathComponent("libvirtd-ctl.sh").path
        let result = try KVMHost.run(ctl, ["start"])
        guard result.status == 0 else { throw KVMTestError("libvirtd-ctl.sh start: \(result.output)") }
        return LibvirtDaemon(startedByUs: result.output.contains(": up (pid"))
    }

    /// The pid of the daemon scripts/libvirtd-ctl.sh runs, when it runs one.
    static var ourPid: Int32? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func stopIfOurs() {
        guard startedByUs else { return }
        _ = try? KVMHost.run(KVMHost.scripts.appendingPathComponent("libvirtd-ctl.sh").path, ["stop"])
    }
}

struct KVMTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Wall-clock time of each operation, printed for the report.
final class StepTimer: @unchecked Sendable {
    private let lock = NSLock()
    private var rows: [(String, Double)] = []
    let label: String

    init(_ label: String) { self.label = label }

    func time<T>(_ step: String, _ body: () async throws -> T) async rethrows -> T {
        let clock = ContinuousClock()
        let start = clock.now
        let value = try await body()
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        lock.withLock { rows.append((step, seconds)) }
        return value
    }

    func report() {
        let lines = lock.withLock {
            rows.map { "  " + $0.0.padding(toLength: 34, withPad: " ", startingAt: 0) + String(format: "%7.3f s", $0.1) }
        }
        print("KVM-TIMING [\(label)]\n" + lines.joined(separator: "\n"))
    }
}
