import ArgumentParser
import JobAd
import Logging
import VMCore

/// `condor_vm-gahp explain-ad`: shows an admin what the gahp makes of a job ad.
struct ExplainAdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain-ad",
        abstract: "Show how the gahp reads a job ad: every attribute's value, the VM it would create, or why it would refuse it.",
        discussion: """
            FILE holds the ad in the starter's line format (`Name = expression` lines, as sent between \
            CLASSAD and CLASSAD_END). The host's HTCondor configuration (VM_MEMORY, networking, ...) is \
            applied exactly as the gahp applies it at START.
            """)

    @Argument(help: "The job ad file ('-' for standard input).")
    var file: String

    @Flag(help: "One JSON object per line instead of text.")
    var json = false

    @Option(help: "The gahp's VM type (default: the ad's JobVMType).")
    var vmtype: String?

    func run(registry: DriverRegistry, environment: [String: String]) throws {
        guard let bytes = readAll(path: file) else { throw ValidationError("cannot read '\(file)'") }
        let text = String(decoding: bytes, as: UTF8.self)
        let settings: HostSettings
        do { settings = try HostSettings.load(environment: environment) } catch {
            throw ValidationError(error.description)
        }
        let logger = Logger(label: "vmgahp", factory: { _ in SwiftLogNoOpLogHandler() })
        let rendering: (JobDescription) -> String? = { job in
            guard let entry = registry.entry(for: job.vmType),
                let driver = try? entry.make(settings.driverContext(vmType: job.vmType, workingDirectory: job.workingDirectory, logger: logger))
            else { return nil }
            do { return try driver.explain(job) } catch { return "(the \(job.vmType) driver cannot render this job: \(error))" }
        }
        print(
            ExplainAd.render(
                adText: text, json: json, gahpType: vmtype?.lowercased(), policy: settings.policy, jobUser: settings.jobOwner,
                driverRendering: rendering),
            terminator: "")
    }
}
