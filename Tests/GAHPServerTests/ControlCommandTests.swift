import GAHPServer
import GAHPWire
import Testing

@Suite struct ControlCommandTests {
    @Test func greetingIsTheBanner() async {
        let h = SessionHarness()
        h.session.greet()
        #expect(await h.next() == "$VMGahpVersion 0.1.0 \(GAHPVersion.buildDate) Condor\\ VMGAHP $")
    }

    @Test func controlCommandReplies() async {
        let h = SessionHarness()
        #expect(await h.request("VERSION") == "S $VMGahpVersion 0.1.0 \(GAHPVersion.buildDate) Condor\\ VMGAHP $")
        #expect(
            await h.request("COMMANDS")
                == "S ASYNC_MODE_ON ASYNC_MODE_OFF CONDOR_VM_START CONDOR_VM_STOP CONDOR_VM_SUSPEND CONDOR_VM_SOFT_SUSPEND CONDOR_VM_RESUME CONDOR_VM_CHECKPOINT CONDOR_VM_STATUS CONDOR_VM_GETPID QUIT VERSION COMMANDS SUPPORT_VMS RESULTS CLASSAD CLASSAD_END VM_START VM_STOP VM_SUSPEND VM_SOFT_SUSPEND VM_RESUME VM_SNAPSHOT VM_STATUS VM_GETPID"
        )
        #expect(await h.request("SUPPORT_VMS") == "S xen kvm")
        #expect(await h.request("ASYNC_MODE_ON") == "S")
        #expect(await h.request("ASYNC_MODE_OFF") == "S")
        #expect(await h.request("RESULTS") == "S 0")
        #expect(await h.request("CLASSAD_END") == "S")
        #expect(h.send("QUIT") == .quit)
    }

    @Test func commandNamesAreCaseInsensitive() async {
        let h = SessionHarness()
        #expect(await h.request("version")?.hasPrefix("S $VMGahpVersion") == true)
        #expect(await h.request("Results") == "S 0")
        #expect(h.send("quit") == .quit)
    }

    @Test(arguments: [
        "", "FOO", "  VERSION  ", "VERSION extra", "QUIT now", "RESULTS 1",
        "CONDOR_VM_STATUS", "CONDOR_VM_STATUS 3", "CONDOR_VM_STATUS  10   1", "CONDOR_VM_STOP 1 2 3",
        "CONDOR_VM_STATUS x 1", "CONDOR_VM_STATUS 0 1", "CONDOR_VM_STATUS -1 1", "CONDOR_VM_STATUS 1 x",
        "CONDOR_VM_STATUS 1 0", "CONDOR_VM_STATUS 99999999999999999999 1", "CONDOR_VM_STATUS 1 99999999999999999999",
        "CONDOR_VM_START 0 kvm", "CONDOR_VM_START 6 vmware", "CONDOR_VM_START 6", "VM_STATUS 1",
    ])
    func malformedRequestsGetE(_ line: String) async {
        let h = SessionHarness()
        #expect(await h.request(line) == "E")
        #expect(await h.request("RESULTS") == "S 0")
    }

    @Test func overlongCommandLineGetsE() async {
        let h = SessionHarness()
        h.session.receive(LineFramer.Line(bytes: Array("VERSION".utf8), truncated: true))
        #expect(await h.next() == "E")
    }

    @Test func adBlockLinesGetNoReplyAndStayRaw() async {
        let h = SessionHarness()
        let replies = await h.sendAd(["Name = \"a\\ b\"", "CONDOR_VM_STATUS 1 1", "QUIT"])
        #expect(replies == ["S", "S"])
        #expect(h.unread.isEmpty)
        // The ad is used by the next START: the raw name reaches the describer.
        #expect(await h.request("CONDOR_VM_START 2 kvm") == "S")
        #expect(await h.results() == ["2 0 1"])
        #expect(h.driver.tornDownNames.withLock { $0 }.isEmpty)
    }

    @Test func classAdEndOutsideABlockDropsTheAd() async {
        let h = SessionHarness()
        _ = await h.sendAd(["Name = \"x\""])
        #expect(await h.request("CLASSAD_END") == "S")
        #expect(await h.request("CONDOR_VM_START 2 KVM") == "S")
        #expect(await h.results() == ["2 1 VMGAHP_ERR_NO_JOBCLASSAD_INFO"])
    }

    @Test func classAdEndMustBeExact() async {
        let h = SessionHarness()
        #expect(await h.request("CLASSAD") == "S")
        h.send("CLASSAD_END ")
        h.send(" classad_end")
        #expect(await h.request("classad_end") == "S")
    }
}
