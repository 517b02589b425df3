import ClassAd
import FoundationEssentials
import GAHPLogging
import JobAd
import Logging
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// Micro-benchmarks of the per-job work inside the gahp, each against a baseline measured in
/// the same run: `swift run -c release component-bench [AD_FILE]` (default: the fixture
/// Tests/Fixtures/jobads/kvm-basic.ad). Figures are medians over many rounds; see BENCHMARKS.md.

func median(_ rounds: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    var samples: [Double] = []
    for _ in 0..<rounds {
        let elapsed = clock.measure(body)
        samples.append(Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6)
    }
    samples.sort()
    return samples[samples.count / 2]
}

func report(_ name: String, _ micros: Double, baseline: String, _ baseMicros: Double) {
    let figure = micros < 10 ? "\(Int(micros * 1000)) ns" : "\(Int(micros)) µs"
    let base = baseMicros < 10 ? "\(Int(baseMicros * 1000)) ns" : "\(Int(baseMicros)) µs"
    print("\(name.padding(40)) \(figure.padding(10)) baseline (\(baseline)): \(base)")
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

let adPath = CommandLine.arguments.dropFirst().first ?? "Tests/Fixtures/jobads/kvm-basic.ad"
guard let data = FileManager.default.contents(atPath: adPath) else {
    print("cannot read \(adPath)")
    exit(1)
}
let text = String(decoding: data, as: UTF8.self)
// A working directory holding the disk the ad names, as the starter would have transferred it.
var template = Array("/tmp/vmgahp-bench-XXXXXX".utf8CString)
guard let made = mkdtemp(&template) else { exit(1) }
let workdir = String(cString: made)
defer { _ = system("rm -rf '\(workdir)'") }
let lines: [String] = text.split(separator: "\n").map {
    String($0).replacing("/var/lib/condor/execute/dir_4242", with: workdir)
}
for line in lines where line.hasPrefix("VMPARAM_vm_Disk") {
    let disk = line.split(separator: "\"")[1].split(separator: ":")[0]
    fclose(fopen("\(workdir)/\(disk)", "w"))
}
let policy = HostPolicy(maxMemoryMiB: 4096, hostCPUs: 2)
print("\(lines.count)-line ad from \(adPath)")

let split = median(2000) { _ = text.split(separator: "\n").count }
report("parse the ad (ClassAd.parse)", median(2000) { _ = ClassAd.parse(lines: lines) }, baseline: "split into lines", split)
let ad = ClassAd.parse(lines: lines).ad
report(
    "evaluate every attribute", median(2000) { for name in ad.attributeNames { _ = ad.evaluate(name) } },
    baseline: "split into lines", split)
report(
    "describe the job (JobAdReader)",
    median(2000) {
        _ = try? JobAdReader.describe(ad, adLines: lines, requestedType: "kvm", gahpType: "kvm", policy: policy)
    }, baseline: "split into lines", split)

let logPath = "\(workdir)/VMGahpLog"
let sink = LogSink(settings: LogSettings(destination: .file(logPath), maxBytes: 1 << 30, level: .info))
let message = "<- 'CONDOR_VM_STATUS 12 1'"
let raw = open("\(workdir)/raw", O_WRONLY | O_CREAT | O_APPEND, 0o644)
let rawLine = Array("11/25/26 12:00:00 \(message)\n".utf8)
let rawWrite = median(20000) { _ = rawLine.withUnsafeBytes { write(raw, $0.baseAddress, $0.count) } }
report("one VM_GAHP_LOG line", median(20000) { sink.write(message: message, metadata: [:]) }, baseline: "write(2) of the line", rawWrite)
let quiet = LogSink(settings: LogSettings(destination: .file(logPath), level: .info))
let logger = Logger(label: "bench") { _ in GAHPLogHandler(sink: quiet) }
report("a debug line while at D_ALWAYS", median(20000) { logger.debug("\(message)") }, baseline: "write(2) of the line", rawWrite)
