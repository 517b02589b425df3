import ClassAd
import Dispatch
import GAHPServer
import GAHPWire
import JobAd
import Logging
import Synchronization
import VMCore

#if canImport(Glibc)
    import Glibc
#endif

/// Mode 3: the GAHP server the starter talks to over stdin and stdout.
enum ServerMode {
    /// - Parameter interactive: set for an admin at a terminal: the same engine behind the
    ///   interactive console (GAHPConsole) instead of the pipe reader.
    static func run(registry: DriverRegistry, environment: [String: String], logToStderr: Bool, interactive: InteractiveRequest?) -> Never {
        guard let vmType = environment["VMGAHP_VMTYPE"]?.lowercased(), !vmType.isEmpty else {
            fail("cannot find vmtype: VMGAHP_VMTYPE is not set")
        }
        guard let workingDirectory = environment["VMGAHP_WORKING_DIR"], !workingDirectory.isEmpty else {
            fail("cannot find vmgahp working dir: VMGAHP_WORKING_DIR is not set")
        }
        guard chdir(workingDirectory) == 0 else {
            fail("cannot enter VMGAHP_WORKING_DIR '\(workingDirectory)': \(String(cString: strerror(errno)))")
        }
        guard let entry = registry.entry(for: vmType), entry.isUsable(vmType) else {
            fail("Not supported VM TYPE '\(vmType)'")
        }
        let settings: HostSettings
        do { settings = try HostSettings.load(environment: environment) } catch { fail(error.description) }
        let logging = LogSetup.start(config: settings.config, toStderr: logToStderr, environment: environment)
        let logger = Logger(label: "vmgahp")
        logger.info("VM-GAHP initialized with run-mode 3, vm type \(vmType), working directory \(workingDirectory)")
        for note in settings.notes { logger.notice("\(note)") }

        let driver: any VMDriver
        do {
            driver = try entry.make(settings.driverContext(vmType: vmType, workingDirectory: workingDirectory, logger: logger))
        } catch {
            fail("cannot create the \(vmType) driver: \(error)")
        }

        // Only protocol lines may reach the starter: keep the real stdout for the protocol
        // and point file descriptor 1 at stderr, so a stray print can never corrupt it.
        let protocolFD = dup(STDOUT_FILENO)
        guard protocolFD >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) >= 0 else { fail("cannot set up stdout") }
        signal(SIGPIPE, SIG_IGN)

        let policy = Shared(settings.policy)
        let console = interactive?.console(vmType: vmType, workingDirectory: workingDirectory, registry: registry, environment: environment, terminal: protocolFD)
        let pipe: ProtocolOutput.Sink = { writeAll(protocolFD, $0) }
        let output = ProtocolOutput(
            sink: console?.sink ?? pipe,
            onLine: { logger.debug("-> '\($0)'") })
        let configuration = SessionConfiguration(
            supportedTypes: registry.supportedTypes, requestTimeout: settings.requestTimeout,
            teardownTimeout: settings.teardownTimeout,
            describeJob: JobDescriber(vmType: vmType, policy: policy, jobUser: settings.jobOwner, logger: logger).describe,
            jobID: JobDescriber.jobID)
        let session = GAHPSession(configuration: configuration, driver: driver, output: output, logger: logger)
        let ending = Ending(session: session, logger: logger)

        Signals.install(
            terminate: { name in ending.finish(reason: "Received \(name), shutting down", quit: false) },
            reload: {
                do {
                    let fresh = try HostSettings.load(environment: environment)
                    policy.value = fresh.policy
                    logging.reconfigure(config: fresh.config)
                    if chdir(workingDirectory) != 0 { logger.error("cannot re-enter \(workingDirectory)") }
                    logger.info("Configuration re-read (\(fresh.config.filesRead.joined(separator: ", ")))")
                } catch {
                    logger.error("Configuration not re-read: \(error)")
                }
            })

        if let console {
            console.run(
                session: session, quit: { ending.finish(reason: "QUIT received", quit: true) },
                end: { ending.finish(reason: "End of interactive input, exiting", quit: false) })
        }
        session.greet()
        output.flush()
        readRequests(session: session, output: output, ending: ending, logger: logger)
    }

    /// Reads stdin on the calling thread until `QUIT` or end of input.
    /// - Note: after `QUIT` the rest of the input is never looked at (`Ending.finish` does
    ///   not return), so requests pipelined behind it get no reply.
    private static func readRequests(session: GAHPSession, output: ProtocolOutput, ending: Ending, logger: Logger) -> Never {
        var framer = LineFramer()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        reading: while true {
            let count = buffer.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            framer.append(buffer[0..<count])
            while let line = framer.nextLine() {
                if session.receive(line) == .quit {
                    ending.finish(reason: "QUIT received", quit: true)
                }
            }
            // Replies are written as they are queued; waiting here for them to drain before
            // reading more input is the back-pressure that bounds memory when the starter
            // stops reading.
            output.flush()
            if output.isClosed { break reading }
        }
        if framer.pendingByteCount > 0 {
            logger.notice("Input ended in the middle of a line (\(framer.pendingByteCount) bytes dropped)")
        }
        ending.finish(reason: output.isClosed ? "Output closed, exiting" : "Request buffer closed, exiting", quit: false)
    }
}

/// Turns the raw ad lines of a START into a validated job, with the policy in force now.
struct JobDescriber: Sendable {
    let vmType: String
    let policy: Shared<HostPolicy>
    let jobUser: FileOwner?
    let logger: Logger

    func describe(_ adLines: [String]?, _ requestedType: String) throws -> JobDescription {
        let lines = adLines ?? []
        let parsed = ClassAd.parse(lines: lines)
        for problem in parsed.errors {
            logger.warning("Failed to insert \"\(problem.line.prefix(200))\" into the job ad (\(problem.message)); ignoring this attribute")
        }
        return try JobAdReader.describe(
            parsed.ad, adLines: lines, requestedType: requestedType, gahpType: vmType, policy: policy.value, jobUser: jobUser)
    }

    /// `ClusterId.ProcId` of the ad, for log lines about the job.
    @Sendable static func jobID(_ adLines: [String]?) -> String? {
        let ad = ClassAd.parse(lines: adLines ?? []).ad
        guard let cluster = ad.integer("ClusterId"), let proc = ad.integer("ProcId") else { return nil }
        return "\(cluster).\(proc)"
    }
}

/// Ends the process once: tears every VM down, answers `QUIT` if that was the cause, and
/// exits 0, or 1 when a VM could not be confirmed gone.
final class Ending: Sendable {
    private let session: GAHPSession
    private let logger: Logger
    private let started = Mutex(false)

    init(session: GAHPSession, logger: Logger) {
        self.session = session
        self.logger = logger
    }

    /// Never returns: the first caller shuts down and exits; later callers wait for it.
    func finish(reason: String, quit: Bool) -> Never {
        let first = started.withLock { started -> Bool in
            defer { started = true }
            return !started
        }
        if first {
            logger.info("\(reason)")
            let session = self.session
            Task.detached {
                let left = await session.shutdown()
                if quit { session.acknowledgeQuit(left: left) }
                exit(left.isEmpty ? 0 : 1)
            }
        }
        while true { pause() }
    }
}
