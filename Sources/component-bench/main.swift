import ClassAd
import DiskImage
import FoundationEssentials
import GAHPLogging
import HTCondorConfig
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
// qcow2 disks are made by qemu-img (the gahp inspects every image's header); others are empty raw files.
var diskName = ""
for line in lines where line.hasPrefix("VMPARAM_vm_Disk") {
    diskName = String(line.split(separator: "\"")[1].split(separator: ":")[0])
    if diskName.hasSuffix(".qcow2") {
        _ = system("qemu-img create -q -f qcow2 '\(workdir)/\(diskName)' 1M")
    } else {
        fclose(fopen("\(workdir)/\(diskName)", "w"))
    }
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

// The disk's header, as START reads it, against reading its first sector.
let diskFD = open("\(workdir)/\(diskName)", O_RDONLY)
var sector = [UInt8](repeating: 0, count: 512)
let preadSector = median(20000) { _ = pread(diskFD, &sector, 512, 0) }
if let bytes = FileBytes(descriptor: diskFD) {
    report("inspect the disk's header (ImageHeader)", median(20000) { _ = ImageHeader.check(bytes, declared: "qcow2") },
        baseline: "pread(2) of 512 bytes", preadSector)
}
// The same disk on shared storage, decided as the job user (a thread with its credentials),
// against the same ad with the disk transferred.
if geteuid() == 0 {
    let shared = "\(workdir)/shared"
    mkdir(shared, 0o755)
    _ = system("cp '\(workdir)/\(diskName)' '\(shared)/\(diskName)' && chmod 0666 '\(shared)/\(diskName)'")
    let sharedLines = lines.map { $0.hasPrefix("VMPARAM_vm_Disk") ? $0.replacing("\"\(diskName)", with: "\"\(shared)/\(diskName)") : $0 }
    let sharedAd = ClassAd.parse(lines: sharedLines).ad
    let nobody = FileOwner(uid: 65534, gid: 65534)
    let transferred = median(2000) {
        _ = try? JobAdReader.describe(ad, adLines: lines, requestedType: "kvm", gahpType: "kvm", policy: policy)
    }
    let asUser = median(2000) {
        _ = try? JobAdReader.describe(sharedAd, adLines: sharedLines, requestedType: "kvm", gahpType: "kvm", policy: policy, jobUser: nobody)
    }
    report("describe, disk on shared storage as uid 65534", asUser, baseline: "disk transferred", transferred)
}

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

// Reading HTCondor's stock configuration (issue 12): the shipped condor_config.generic and
// config.d/00-security, whose `if version` makes the reader look for the installed HTCondor's
// library, plus a 50-vm.conf. Baselines: the same files with `if true` in place of the version
// condition (the cost of the version lookup is the difference), and CONDOR_CONFIG=ONLY_ENV.
let examples = FileManager.default.currentDirectoryPath + "/../shared/htcondor/config-examples"
if let security = FileManager.default.contents(atPath: "\(examples)/00-security") {
    _ = mkdir("\(workdir)/config", 0o755)
    _ = mkdir("\(workdir)/plain", 0o755)
    func write(_ path: String, _ text: String) { _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) }
    let main = "include : \(examples)/condor_config.generic\nLOCAL_DIR = \(workdir)\nREQUIRE_LOCAL_CONFIG_FILE = false\n"
    write("\(workdir)/condor_config", main)
    write("\(workdir)/plain_config", main + "LOCAL_CONFIG_DIR = \(workdir)/plain\n")
    _ = symlink("\(examples)/00-security", "\(workdir)/config/00-security")
    let plain = String(decoding: security, as: UTF8.self).replacing("if version >= 23.10.0", with: "if true")
    write("\(workdir)/plain/00-security", plain)
    let vm = "VM_TYPE = kvm\nVM_MEMORY = 1024\nVM_NETWORKING = false\n"
    write("\(workdir)/config/50-vm.conf", vm)
    write("\(workdir)/plain/50-vm.conf", vm)
    do {
        _ = try HTCondorConfig.load(environment: ["CONDOR_CONFIG": "\(workdir)/condor_config"])
    } catch {
        print("the stock configuration does not load: \(error)")
        exit(1)
    }
    let onlyEnv = median(500) { _ = try? HTCondorConfig.load(environment: ["CONDOR_CONFIG": "ONLY_ENV"]) }
    let noVersion = median(500) { _ = try? HTCondorConfig.load(environment: ["CONDOR_CONFIG": "\(workdir)/plain_config"]) }
    let stock = median(500) { _ = try? HTCondorConfig.load(environment: ["CONDOR_CONFIG": "\(workdir)/condor_config"]) }
    report("read the stock configuration", stock, baseline: "same, 'if true'", noVersion)
    report("read the stock configuration", stock, baseline: "ONLY_ENV", onlyEnv)
    write("\(workdir)/version_only", "if version >= 23.10.0\nendif\n")
    write("\(workdir)/true_only", "if true\nendif\n")
    let trueOnly = median(500) { _ = try? HTCondorConfig.load(environment: ["CONDOR_CONFIG": "\(workdir)/true_only"]) }
    let versionOnly = median(500) { _ = try? HTCondorConfig.load(environment: ["CONDOR_CONFIG": "\(workdir)/version_only"]) }
    report("a file with one 'if version'", versionOnly, baseline: "one 'if true'", trueOnly)
    // The same where an HTCondor is installed at RELEASE_DIR: the lookup stops at its lib/.
    _ = mkdir("\(workdir)/release", 0o755)
    _ = mkdir("\(workdir)/release/lib", 0o755)
    write("\(workdir)/release/lib/libcondor_utils_25_14_0.so", "")
    write("\(workdir)/version_found", "RELEASE_DIR = \(workdir)/release\nif version >= 23.10.0\nendif\n")
    write("\(workdir)/true_found", "RELEASE_DIR = \(workdir)/release\nif true\nendif\n")
    let trueFound = median(500) { _ = try? HTCondorConfig.load(environment: ["CONDOR_CONFIG": "\(workdir)/true_found"]) }
    let versionFound = median(500) { _ = try? HTCondorConfig.load(environment: ["CONDOR_CONFIG": "\(workdir)/version_found"]) }
    report("the same, HTCondor in RELEASE_DIR", versionFound, baseline: "one 'if true'", trueFound)
}
