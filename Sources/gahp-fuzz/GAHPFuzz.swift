import FakeDriver
import GAHPServer
import GAHPWire
import Logging
import VMCore

/// Fuzzes the line reader and the dispatcher: arbitrary bytes are framed into lines and fed
/// to a session over the fake driver. A crash, a trap or a reply line of 10 KiB or more is a
/// finding.
///
/// Built for libFuzzer by `scripts/fuzz.sh wire` (`swift build -Xswiftc -sanitize=fuzzer
/// -Xswiftc -DFUZZING`); a normal build gets a `main` that replays input files, so a
/// finding can be reproduced and debugged without the fuzzer.
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
            vmType: "kvm", supportedTypes: ["xen", "kvm"], requestTimeout: .seconds(5),
            maxAdLines: 1000, maxAdBytes: 1 << 20,
            describeJob: { ad, type in
                guard let ad else { throw VMGAHPError(.noJobClassAdInfo, "no job ad") }
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

#if FUZZING
    /// libFuzzer's own driver; SwiftPM links an executable's entry point as `main`, so the
    /// entry point hands control to libFuzzer instead of libFuzzer providing `main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// libFuzzer's runtime also links its own `main`, which needs this symbol.
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        GAHPFuzz.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }

    @_cdecl("gahp_fuzz_main")
    func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return LLVMFuzzerRunDriver(&count, &arguments, fuzzOne)
    }
#else
    @main
    struct ReplayFiles {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                let contents = try readFile(path)
                GAHPFuzz.run(contents)
                print("replayed \(path) (\(contents.count) bytes)")
            }
        }
    }
#endif
