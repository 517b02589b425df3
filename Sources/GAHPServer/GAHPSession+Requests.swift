import Dispatch
import GAHPWire
import VMCore

/// What a driver call answered, before it becomes a result line.
private enum Answer: Sendable {
    case done
    case status(VMStatusReport)
    case pid(Int)
}

extension GAHPSession {
    /// Validates a VM request, answers `S` or `E`, and queues its work behind the VM's
    /// earlier requests.
    func accept(_ operation: VMOperation, requestArgument: String, target: String) {
        guard let requestID = GAHPArguments.positiveDecimal(requestArgument, maximum: GAHPArguments.maximumRequestID) else {
            logger.info("Bad request id '\(requestArgument)'")
            output.send("E")
            return
        }
        let vmID: Int
        if operation == .start {
            guard configuration.supportedTypes.contains(target.lowercased()) else {
                logger.info("VM type '\(target)' is not supported")
                output.send("E")
                return
            }
            vmID = 0
        } else {
            guard let id = GAHPArguments.positiveDecimal(target) else {
                logger.info("Bad vm id '\(target)'")
                output.send("E")
                return
            }
            vmID = id
        }
        state.withLock { state in
            guard !state.closing, !state.pending.contains(requestID) else {
                logger.info("Request id \(requestID) is still pending")
                output.send("E")
                return
            }
            state.pending.insert(requestID)
            output.send("S")
            let entry: VMEntry
            if operation == .start {
                entry = VMEntry(id: state.nextVMID)
                state.nextVMID += 1
                state.vms[entry.id] = entry
                let ad = state.ad
                entry.tail = Task { await self.start(entry, requestID: requestID, type: target, ad: ad) }
                return
            }
            guard let known = state.vms[vmID] else {
                if state.enqueue(unknownVM(operation, requestID: requestID)) { output.send("R") }
                return
            }
            entry = known
            let previous = entry.tail
            entry.tail = Task {
                await previous?.value
                let result = await self.perform(operation, on: entry, requestID: requestID)
                self.complete(result)
            }
        }
    }

    /// The result for a VM the gahp does not have (never started, failed to start, stopped).
    /// The starter's contract: an unknown VM is a stopped VM, and nothing else can be done to it.
    private func unknownVM(_ operation: VMOperation, requestID: Int) -> ResultLine {
        operation == .status
            ? ResultLine(requestID: requestID, fields: ["STATUS=Stopped"])
            : ResultLine(requestID: requestID, succeeded: false, value: VMGAHPError.Code.vmNotFound.rawValue)
    }

    func complete(_ result: ResultLine) {
        state.withLock { state in
            if state.enqueue(result) { output.send("R") }
        }
    }

    private func failure(_ requestID: Int, _ error: any Error, _ what: String) -> ResultLine {
        let gahpError = Self.gahpError(error)
        logger.warning("\(what) failed: \(String(gahpError.description.prefix(WireLimits.maxMessageBytes)))")
        return ResultLine(requestID: requestID, succeeded: false, value: gahpError.code.rawValue)
    }

    /// A refused START: the token comes from the one classification (`startToken`), and the
    /// whole reason, with the job's id, goes to the log at `D_ALWAYS`, since the starter gets
    /// only the token.
    private func startFailure(_ requestID: Int, _ error: any Error, _ what: String, type: String, job: String?) -> ResultLine {
        let gahpError = Self.gahpError(error)
        let token = gahpError.startToken(vmType: type)
        let consequence = token.putsJobOnHold ? "the starter holds the job" : "the starter requeues the job and takes this host offline for VM jobs"
        let found = token == gahpError.code ? "" : " (found \(gahpError.code.rawValue))"
        logger.error(
            "\(what) for job \(job ?? "(unknown)") refused, \(gahpError.fault.rawValue) fault: \(token.rawValue)\(found), \(consequence): \(String(gahpError.message.prefix(WireLimits.maxMessageBytes)))")
        return ResultLine(requestID: requestID, succeeded: false, value: token.rawValue)
    }

    private static func gahpError(_ error: any Error) -> VMGAHPError {
        (error as? VMGAHPError) ?? VMGAHPError.host(.internal, String(describing: error))
    }

    private func timedOut(_ requestID: Int, _ what: String) -> ResultLine {
        logger.error("\(what) did not finish within \(configuration.requestTimeout); reporting failure")
        return ResultLine(requestID: requestID, succeeded: false, value: VMGAHPError.Code.internal.rawValue)
    }

    private func start(_ entry: VMEntry, requestID: Int, type: String, ad: [String]?) async {
        let what = "START of VM \(entry.id) (request \(requestID))"
        let job: JobDescription
        do {
            job = try configuration.describeJob(ad, type)
        } catch {
            forget(entry)
            complete(startFailure(requestID, error, what, type: type, job: configuration.jobID(ad)))
            return
        }
        let jobID = configuration.jobID(ad) ?? job.name
        state.withLock { _ in entry.job = job }
        let driver = self.driver
        let logger = self.logger
        let teardown = configuration.teardownTimeout
        let outcome = await withDeadline(
            configuration.requestTimeout,
            late: { result in
                // Reported as failed already: nothing the starter was told about may keep running.
                if case .success(let machine) = result {
                    logger.warning("\(what) finished after its deadline; destroying \(machine.name)")
                    Task { _ = await machine.tearDown(until: .now + teardown) }
                }
            },
            { try await driver.start(job) })
        switch outcome {
        case .timedOut:
            complete(startFailure(requestID, VMGAHPError.host(.internal, "no answer within \(configuration.requestTimeout)"), what, type: type, job: jobID))
        case .finished(.failure(let error)):
            forget(entry)
            complete(startFailure(requestID, error, what, type: type, job: jobID))
        case .finished(.success(let machine)):
            let closing = state.withLock { state -> Bool in
                entry.machine = machine
                entry.cpu = CPUUtilizationTracker()
                return state.closing
            }
            if closing {
                _ = await machine.tearDown(until: .now + configuration.teardownTimeout)
                return
            }
            logger.info("\(what) created \(machine.name)")
            complete(ResultLine(requestID: requestID, succeeded: true, value: String(entry.id)))
        }
    }

    private func forget(_ entry: VMEntry) {
        state.withLock { state in
            if state.vms[entry.id] === entry { state.vms[entry.id] = nil }
        }
    }

    private func perform(_ operation: VMOperation, on entry: VMEntry, requestID: Int) async -> ResultLine {
        let what = "\(operation) of VM \(entry.id) (request \(requestID))"
        let (machine, job) = state.withLock { _ in (entry.machine, entry.job) }
        guard let machine else { return unknownVM(operation, requestID: requestID) }
        if operation == .checkpoint, job?.checkpoint != true {
            return ResultLine(
                requestID: requestID, succeeded: false, value: VMGAHPError.Code.noSupportCheckpoint.rawValue)
        }
        let outcome = await withDeadline(configuration.requestTimeout) { () async throws -> Answer in
            switch operation {
            case .start: return .done
            case .stop: try await machine.stop()
            case .suspend: try await machine.suspend()
            case .softSuspend: try await machine.softSuspend()
            case .resume: try await machine.resume()
            case .checkpoint: try await machine.checkpoint()
            case .status: return .status(try await machine.status())
            case .getpid: return .pid(try await machine.pid())
            }
            return .done
        }
        switch outcome {
        case .timedOut:
            return timedOut(requestID, what)
        case .finished(.failure(let error)):
            return failure(requestID, error, what)
        case .finished(.success(.status(let report))):
            let utilization = state.withLock { _ -> Double? in
                guard report.state == .running, let cpuTime = report.cpuTime else { return nil }
                return entry.cpu.sample(cpuTime: cpuTime, vcpus: report.vcpus ?? job?.vcpus ?? 1)
            }
            return ResultLine(requestID: requestID, fields: report.wireFields(cpuUtilization: utilization))
        case .finished(.success(.pid(let pid))):
            return ResultLine(requestID: requestID, succeeded: true, value: String(pid))
        case .finished(.success(.done)):
            if operation == .stop {
                // As in HTCondor, a stopped VM is forgotten: its next STATUS is `Stopped`.
                forget(entry)
            }
            return ResultLine(requestID: requestID, succeeded: true, value: "")
        }
    }

    /// Leaves no VM running: waits for each VM's queued requests, then keeps destroying it
    /// until the driver confirms it is gone, all within `teardownTimeout` (a hung or
    /// restarting hypervisor is waited out that long). Called on `QUIT`, end of input and
    /// termination signals. Returns the names of the VMs it could not confirm gone, each
    /// logged at `D_ALWAYS`.
    public func shutdown() async -> [String] {
        let entries = state.withLock { state -> [VMEntry] in
            state.closing = true
            return Array(state.vms.values)
        }
        let budget = configuration.teardownTimeout
        let deadline = ContinuousClock.now + budget
        let driver = self.driver
        let logger = self.logger
        return await withTaskGroup(of: String?.self) { group in
            for entry in entries {
                group.addTask {
                    // A request still running (a START creating the VM) is waited for, but
                    // the destroy always keeps a quarter of the budget.
                    let tail = self.state.withLock { _ in entry.tail }
                    if let tail, case .timedOut = await withDeadline(deadline - ContinuousClock.now - budget / 4, { await tail.value }) {
                        logger.warning("VM \(entry.id) still has a request running at teardown")
                    }
                    let (machine, job) = self.state.withLock { _ in (entry.machine, entry.job) }
                    guard let name = machine?.name ?? job?.name else { return nil }
                    let gone: Bool
                    if let machine {
                        gone = await machine.tearDown(until: deadline)
                    } else {
                        // A START may still be creating it: destroy by name, as HTCondor does.
                        do {
                            try await driver.destroy(name: name, until: deadline)
                            gone = true
                        } catch {
                            gone = false
                        }
                    }
                    if gone { return nil }
                    logger.error(
                        "Teardown gave up on domain \(name) (VM \(entry.id)) after \(budget): it may still exist; kill mode (-M 4 ... match \(name)) removes it")
                    return name
                }
            }
            var left: [String] = []
            for await name in group { if let name { left.append(name) } }
            return left.sorted()
        }
    }
}
