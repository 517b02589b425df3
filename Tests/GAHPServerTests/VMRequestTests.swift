import FakeDriver
import GAHPServer
import GAHPWire
import Testing
import VMCore

@Suite struct VMRequestTests {
    @Test func unknownVMIsStoppedForStatusAndNotFoundOtherwise() async {
        let h = SessionHarness()
        #expect(await h.request("CONDOR_VM_STATUS 16 99") == "S")
        #expect(await h.results() == ["16 0 STATUS=Stopped"])
        for (id, command) in ["STOP", "SUSPEND", "SOFT_SUSPEND", "RESUME", "CHECKPOINT", "GETPID"].enumerated() {
            #expect(await h.request("CONDOR_VM_\(command) \(id + 20) 99") == "S")
            #expect(await h.results() == ["\(id + 20) 1 VMGAHP_ERR_VM_NOT_FOUND"])
        }
    }

    @Test func startWithoutAdFails() async {
        let h = SessionHarness()
        #expect(await h.request("CONDOR_VM_START 11 kvm") == "S")
        #expect(await h.results() == ["11 1 VMGAHP_ERR_NO_JOBCLASSAD_INFO"])
        // The failed START's vm id is forgotten.
        #expect(await h.request("CONDOR_VM_STATUS 12 1") == "S")
        #expect(await h.results() == ["12 0 STATUS=Stopped"])
    }

    @Test func wholeLifecycle() async {
        let h = SessionHarness()
        let vm = await h.startVM(request: 2)
        #expect(vm == "1")
        #expect(await h.request("CONDOR_VM_GETPID 3 1") == "S")
        #expect(await h.results() == ["3 0 4001"])
        #expect(await h.request("CONDOR_VM_STATUS 4 1") == "S")
        let status = await h.results()
        #expect(status.count == 1)
        let fields = GAHPArguments.split(status.first ?? "")
        #expect(Array(fields.prefix(3)) == ["4", "0", "STATUS=Running"])
        #expect(fields.contains { $0.hasPrefix("CPUUTILIZATION=") })
        #expect(fields.contains("CPUTIME=0.500000"))
        #expect(fields.contains("MEMORY=65536"))
        #expect(fields.contains("MAXMEMORY=65536"))
        #expect(fields.contains("PID=4001"))
        #expect(await h.request("CONDOR_VM_SOFT_SUSPEND 5 1") == "S")
        #expect(await h.results() == ["5 0 NULL"])
        #expect(await h.request("CONDOR_VM_STATUS 6 1") == "S")
        #expect(await h.results() == ["6 0 STATUS=Suspended"])
        #expect(await h.request("CONDOR_VM_RESUME 7 1") == "S")
        #expect(await h.results() == ["7 0 NULL"])
        #expect(await h.request("VM_SUSPEND 8 1") == "S")
        #expect(await h.results() == ["8 0 NULL"])
        #expect(await h.request("VM_STATUS 9 1") == "S")
        #expect(await h.results() == ["9 0 STATUS=Suspended"])
        #expect(await h.request("VM_RESUME 10 1") == "S")
        #expect(await h.results() == ["10 0 NULL"])
        #expect(await h.request("CONDOR_VM_CHECKPOINT 11 1") == "S")
        #expect(await h.results() == ["11 1 VMGAHP_ERR_VM_NO_SUPPORT_CHECKPOINT"])
        #expect(await h.request("CONDOR_VM_STOP 12 1") == "S")
        #expect(await h.results() == ["12 0 NULL"])
        #expect(await h.request("CONDOR_VM_STATUS 13 1") == "S")
        #expect(await h.results() == ["13 0 STATUS=Stopped"])
        #expect(await h.request("CONDOR_VM_STOP 14 1") == "S")
        #expect(await h.results() == ["14 1 VMGAHP_ERR_VM_NOT_FOUND"])
    }

    @Test func checkpointWhenTheJobAllowsIt() async {
        let h = SessionHarness()
        #expect(await h.startVM(request: 2, checkpoint: true) == "1")
        #expect(await h.request("VM_SNAPSHOT 3 1") == "S")
        #expect(await h.results() == ["3 0 NULL"])
        #expect(await h.request("CONDOR_VM_STATUS 4 1") == "S")
        #expect(await h.results() == ["4 0 STATUS=Suspended"])
    }

    @Test func invalidTransitionIsReportedWithItsToken() async {
        let h = SessionHarness()
        #expect(await h.startVM(request: 2) == "1")
        #expect(await h.request("CONDOR_VM_STOP 3 1") == "S")
        #expect(await h.results() == ["3 0 NULL"])
        #expect(await h.startVM(request: 4, name: "b_1.0") == "2")
        #expect(await h.request("CONDOR_VM_SOFT_SUSPEND 5 2") == "S")
        #expect(await h.results() == ["5 0 NULL"])
        #expect(await h.request("CONDOR_VM_SUSPEND 6 2") == "S")
        #expect(await h.results() == ["6 0 NULL"])
        #expect(await h.request("CONDOR_VM_SOFT_SUSPEND 7 2") == "S")
        #expect(await h.results() == ["7 1 VMGAHP_ERR_VM_INVALID_OPERATION"])
    }

    @Test func guestThatPowersItselfOffIsStopped() async {
        var behaviour = FakeBehaviour()
        behaviour.powerOffAfterStatus = 1
        let h = SessionHarness(behaviour: behaviour)
        #expect(await h.startVM(request: 2) == "1")
        #expect(await h.request("CONDOR_VM_STATUS 3 1") == "S")
        #expect(await h.results().first?.hasPrefix("3 0 STATUS=Running") == true)
        #expect(await h.request("CONDOR_VM_STATUS 4 1") == "S")
        #expect(await h.results() == ["4 0 STATUS=Stopped"])
    }

    @Test func oneNoticePerBatchAndResultsInOrder() async {
        let h = SessionHarness()
        #expect(await h.request("CONDOR_VM_STATUS 5 1") == "S")
        #expect(await h.next() == "R")
        #expect(await h.request("CONDOR_VM_STATUS 6 2") == "S")
        #expect(await h.request("CONDOR_VM_STOP 7 3") == "S")
        // No second R until RESULTS has been sent.
        #expect(await h.next(timeout: .milliseconds(100)) == nil)
        #expect(await h.request("RESULTS") == "S 3")
        #expect(await h.next() == "5 0 STATUS=Stopped")
        #expect(await h.next() == "6 0 STATUS=Stopped")
        #expect(await h.next() == "7 1 VMGAHP_ERR_VM_NOT_FOUND")
        #expect(await h.request("CONDOR_VM_STATUS 8 1") == "S")
        #expect(await h.next() == "R")
        // ASYNC_MODE_ON also re-arms the notice.
        #expect(await h.request("ASYNC_MODE_ON") == "S")
        #expect(await h.request("CONDOR_VM_STATUS 9 1") == "S")
        #expect(await h.next() == "R")
        #expect(await h.request("RESULTS") == "S 2")
    }

    @Test func asyncModeOffSendsNoNotice() async {
        let h = SessionHarness()
        #expect(await h.request("ASYNC_MODE_OFF") == "S")
        #expect(await h.request("CONDOR_VM_STATUS 8 1") == "S")
        #expect(await h.next(timeout: .milliseconds(100)) == nil)
        #expect(await h.request("RESULTS") == "S 1")
        #expect(await h.next() == "8 0 STATUS=Stopped")
    }

    @Test func pendingRequestIDIsRefusedUntilItsResultIsQueued() async {
        var behaviour = FakeBehaviour()
        behaviour.hang = ["status"]
        let h = SessionHarness(behaviour: behaviour, timeout: .milliseconds(300))
        #expect(await h.startVM(request: 2) == "1")
        #expect(await h.request("CONDOR_VM_STATUS 3 1") == "S")
        #expect(await h.request("CONDOR_VM_STATUS 3 1") == "E")
        #expect(await h.results() == ["3 1 VMGAHP_ERR_INTERNAL"])
        // Finished ids may be reused, as in HTCondor.
        #expect(await h.request("CONDOR_VM_STATUS 3 5") == "S")
    }

    @Test func hungDriverCallFailsAtTheDeadlineWhileTheServerKeepsAnswering() async {
        var behaviour = FakeBehaviour()
        behaviour.hang = ["status"]
        let h = SessionHarness(behaviour: behaviour, timeout: .seconds(2))
        #expect(await h.startVM(request: 2) == "1")
        let clock = ContinuousClock()
        let sent = clock.now
        #expect(await h.request("CONDOR_VM_STATUS 3 1") == "S")
        for _ in 0..<5 {
            // Read raw: each reply must come before the deadline's `R`.
            h.send("VERSION")
            #expect(await h.next()?.hasPrefix("S $VMGahpVersion") == true)
        }
        #expect(await h.next(timeout: .seconds(10)) == "R")
        #expect(clock.now - sent >= .seconds(2))
        #expect(await h.request("RESULTS") == "S 1")
        #expect(await h.next() == "3 1 VMGAHP_ERR_INTERNAL")
    }

    @Test func oneVMsRequestsStayInOrderWhileAnotherVMProceeds() async {
        var behaviour = FakeBehaviour()
        behaviour.delay = .milliseconds(30)
        let h = SessionHarness(behaviour: behaviour)
        #expect(await h.startVM(request: 2) == "1")
        #expect(await h.startVM(request: 3, name: "b_1.0") == "2")
        for id in 10..<20 {
            #expect(await h.request("CONDOR_VM_STATUS \(id) 1") == "S")
        }
        #expect(await h.request("CONDOR_VM_STOP 20 1") == "S")
        #expect(await h.request("CONDOR_VM_STATUS 21 2") == "S")
        var ids: [Int] = []
        while ids.count < 12 {
            for line in await h.results() { ids.append(Int(line.split(separator: " ")[0]) ?? -1) }
        }
        let vm1 = ids.filter { $0 != 21 }
        #expect(vm1 == Array(10...20))
        // VM 2's single request did not wait for VM 1's eleven.
        #expect(ids.firstIndex(of: 21)! < ids.firstIndex(of: 20)!)
    }

    @Test func aFailureNeverPutsItsMessageOnTheWire() async {
        let h = SessionHarness(describe: { _, _ in
            throw VMGAHPError.host(.internal, "libvirt said: " + String(repeating: "no way ", count: 200_000))
        })
        #expect(await h.request("CONDOR_VM_START 2 kvm") == "S")
        #expect(await h.results() == ["2 1 VMGAHP_ERR_INTERNAL"])
    }

    @Test func startReportsAHoldTokenForEveryJobFaultAndNoneForAHostFault() async {
        let h = SessionHarness(describe: { _, _ in throw VMGAHPError.job(.tooMuchMemoryRequest, "too much") })
        #expect(await h.request("CONDOR_VM_START 2 kvm") == "S")
        #expect(await h.results() == ["2 1 VMGAHP_ERR_JOBCLASSAD_NO_VM_MEMORY_PARAM"])
        let host = SessionHarness(describe: { _, _ in throw VMGAHPError.host(.badImage, "a host fault with a hold token") })
        #expect(await host.request("CONDOR_VM_START 2 kvm") == "S")
        #expect(await host.results() == ["2 1 VMGAHP_ERR_INTERNAL"])
    }

    @Test func teardownLeavesNoVMRunning() async {
        let h = SessionHarness()
        #expect(await h.startVM(request: 2, name: "a_1.0") == "1")
        #expect(await h.startVM(request: 3, name: "b_1.0") == "2")
        #expect(h.send("QUIT") == .quit)
        #expect(await h.session.shutdown() == [])
        h.session.acknowledgeQuit(left: [])
        #expect(await h.next() == "S")
        #expect(h.driver.tornDownNames.withLock { $0.sorted() } == ["a_1.0", "b_1.0"])
        // Nothing is accepted once closing.
        #expect(await h.request("CONDOR_VM_STATUS 9 1") == "E")
    }

    @Test func startStillRunningAtTeardownIsDestroyedByName() async {
        var behaviour = FakeBehaviour()
        behaviour.hang = ["start"]
        let h = SessionHarness(behaviour: behaviour, teardownTimeout: .milliseconds(200))
        _ = await h.sendAd(["Name = \"late_1.0\""])
        #expect(await h.request("CONDOR_VM_START 2 kvm") == "S")
        #expect(await h.session.shutdown() == [])
        #expect(h.driver.destroyedNames.withLock { $0 } == ["late_1.0"])
    }

    @Test func quitAnswersEWhenAVMCannotBeConfirmedGone() async {
        var behaviour = FakeBehaviour()
        behaviour.hang = ["teardown"]
        let h = SessionHarness(behaviour: behaviour, teardownTimeout: .milliseconds(300))
        #expect(await h.startVM(request: 2, name: "stuck_1.0") == "1")
        #expect(h.send("QUIT") == .quit)
        let left = await h.session.shutdown()
        #expect(left == ["stuck_1.0"])
        h.session.acknowledgeQuit(left: left)
        #expect(await h.next() == "E")
    }
}
