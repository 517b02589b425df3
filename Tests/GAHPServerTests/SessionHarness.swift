import FakeDriver
import GAHPServer
import GAHPWire
import Logging
import TestSupport
import VMCore

/// A session wired to the fake driver, with its output captured line by line.
final class SessionHarness: Sendable {
    let driver: FakeDriver
    let session: GAHPSession
    private let written = GahpOutput()

    init(
        behaviour: FakeBehaviour = FakeBehaviour(), timeout: Duration = .seconds(30),
        teardownTimeout: Duration = .seconds(5), describe: SessionConfiguration.JobDescriber? = nil
    ) {
        let policy = HostPolicy(maxMemoryMiB: 4096, hostCPUs: 4)
        driver = FakeDriver(behaviour: behaviour, policy: policy)
        let written = self.written
        let output = ProtocolOutput(sink: { text in
            written.append(text.utf8)
            return true
        })
        let configuration = SessionConfiguration(
            supportedTypes: ["xen", "kvm"], requestTimeout: timeout, teardownTimeout: teardownTimeout,
            describeJob: describe ?? SessionHarness.simpleJob)
        session = GAHPSession(configuration: configuration, driver: driver, output: output, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// A describer that accepts any ad with a `Name = "..."` line and refuses a missing ad as HTCondor does.
    static let simpleJob: SessionConfiguration.JobDescriber = { ad, type in
        guard let ad else { throw VMGAHPError.host(.noJobClassAdInfo, "no job ad") }
        let name = ad.first { $0.hasPrefix("Name = ") }.map { String($0.dropFirst(8).dropLast()) } ?? "vm"
        return JobDescription(
            vmType: type, name: name, workingDirectory: "/tmp", memoryMiB: 64, vcpus: 1,
            checkpoint: ad.contains("JobVMCheckpoint = true"))
    }

    @discardableResult
    func send(_ text: String) -> GAHPSession.Disposition {
        session.receive(LineFramer.Line(bytes: Array(text.utf8)))
    }

    /// Sends a request and returns its immediate reply (an `R` on the way is noted, not returned).
    func request(_ text: String) async -> String? {
        send(text)
        return await written.reply(timeout: .seconds(30))
    }

    /// The next line written, `R` included, or nil if none comes within `timeout`.
    func next(timeout: Duration = .seconds(30)) async -> String? {
        await written.next(timeout: timeout)
    }

    /// Lines written but not read yet.
    var unread: [String] { written.unread }

    /// Waits for `R` if none was noted yet, sends RESULTS and returns its result lines.
    func results() async -> [String] {
        await written.results(timeout: .seconds(30)) { send($0) }
    }

    /// Sends a job ad block.
    func sendAd(_ lines: [String]) async -> [String?] {
        var replies = [await request("CLASSAD")]
        for line in lines { send(line) }
        replies.append(await request("CLASSAD_END"))
        return replies
    }

    /// Starts a VM from a minimal ad and returns its id.
    func startVM(request id: Int, name: String = "alice_1.0", checkpoint: Bool = false) async -> String? {
        _ = await sendAd(["Name = \"\(name)\"", "JobVMCheckpoint = \(checkpoint)"])
        guard await request("CONDOR_VM_START \(id) kvm") == "S" else { return nil }
        let results = await results()
        guard results.count == 1, results[0].hasPrefix("\(id) 0 ") else { return nil }
        return String(results[0].dropFirst("\(id) 0 ".count))
    }
}
