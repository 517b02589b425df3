import FakeDriver
import GAHPServer
import GAHPWire
import Logging
import VMCore

/// Fuzzes the line reader and the dispatcher: arbitrary bytes are framed into lines and fed
/// to a session over the fake driver. A crash, a trap or a reply line of 10 KiB or more is a
/// finding.
///
/// Run by `scripts/fuzz.sh wire`.
enum GAHPFuzz {
    static let policy = HostPolicy(maxMemoryMiB: 1024, hostCPUs: 2)
    static let logger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

    static func run(_ bytes: [UInt8]) {
        let output = ProtocolOutput(sink: { text in
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                precondition(line.utf8.count + 1 < WireLimits.maxReplyLineBytes, "reply line too long")
            }
            return true
        })
        let configuration = SessionConfiguration(
            supportedTypes: ["xen", "kvm"], requestTimeout: .seconds(5),
            maxAdLines: 1000, maxAdBytes: 1 << 20,
            describeJob: { ad, type in
                guard let ad else { throw VMGAHPError.host(.noJobClassAdInfo, "no job ad") }
                return JobDescription(
                    vmType: type, name: "fuzz_\(ad.count)", workingDirectory: "/tmp", memoryMiB: 64, vcpus: 1,
                    checkpoint: ad.contains { $0.contains("true") })
            })
        let session = GAHPSession(
            configuration: configuration, driver: FakeDriver(behaviour: FakeBehaviour(), policy: policy),
            output: output, logger: logger)
        session.greet()
        // Feed in uneven chunks, as a pipe would deliver them.
        var framer = LineFramer(maxLineBytes: 4096)
        var index = 0
        var chunk = 1
        while index < bytes.count {
            let end = min(bytes.count, index + chunk)
            framer.append(bytes[index..<end])
            while let line = framer.nextLine() {
                if session.receive(line) == .quit { break }
            }
            index = end
            chunk = chunk % 7 + 1
        }
        output.flush()
    }
}
