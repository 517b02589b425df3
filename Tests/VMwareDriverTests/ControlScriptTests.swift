import Foundation
import JobAd
import Logging
import Synchronization
import Testing
import TestSupport
import VMCore
@testable import VMwareDriver

/// How the driver runs a control script: argument vector, bounded output, a timeout that
/// kills everything the script started, the job user's identity, and a script that must be
/// safe to run before it is run at all.
@Suite struct ControlScriptTests {
    let dir: TemporaryDirectory

    init() throws { dir = try TemporaryDirectory(prefix: "vmware-script") }

    /// A script file with `body`, mode 0755.
    func script(_ body: String) throws -> String {
        let path = try dir.write("script-\(UUID().uuidString).pl", "use strict; use warnings;\n" + body + "\n")
        chmod(path, 0o755)
        return path
    }

    func runner(_ path: String, timeout: Duration = .seconds(30), user: JobUser? = nil) -> ControlScript {
        ControlScript(perl: "perl", script: path, timeout: timeout, user: user,
                      userSwitch: UserSwitch(executable: TestPaths.product("condor_vm-gahp").path), environment: ["PATH": "/usr/bin:/bin"], workingDirectory: dir.path, logger: Logger(label: "test"))
    }

    func hostError(_ body: () async throws -> Void) async -> VMGAHPError? {
        do { try await body(); return nil } catch { return error as? VMGAHPError }
    }

    @Test func argumentsArriveVerbatimAndResultsAreParsed() async throws {
        let path = try script(#"print "ARGS=", join("|", @ARGV), "\n"; print "PID=42\n"; print STDERR "chatter\n";"#)
        let output = try await runner(path).run("status", ["/a b/$(x);`y`.vmx"])
        #expect(output["ARGS"] == "status|/a b/$(x);`y`.vmx")
        #expect(output["PID"] == "42")
    }

    @Test func failuresCarryTheScriptsErrorLines() async throws {
        let path = try script(#"print STDERR "(WARN) meh\n(ERROR) vm(x) is not running\n"; exit 1;"#)
        do {
            _ = try await runner(path).run("suspend", ["x"])
            Issue.record("expected a failure")
        } catch let failure as ControlScript.Failure {
            #expect(failure.message == "vm(x) is not running")
        }
    }

    @Test func malformedOrHugeOutputIsAHostError() async throws {
        for body in [#"print "STATUS Running\n";"#, #"print "lower=case\n";"#, #"print "STATUS=\x01\n";"#,
                     #"print "X" x 200000;"#] {
            let error = await hostError { _ = try await runner(try script(body)).run("status", ["x"]) }
            #expect(error?.fault == .host && error?.code == .internal, "\(body): \(String(describing: error))")
        }
    }

    @Test func aTimeoutKillsTheScriptAndWhatItStarted() async throws {
        let pidFile = dir.path + "/child.pid"
        let path = try script("""
            my $child = fork();
            if ($child == 0) { exec('sleep', '600'); }
            open(my $out, '>', '\(pidFile)'); print {$out} "$child\\n"; close($out);
            sleep 600;
            """)
        let started = ContinuousClock.now
        let error = await hostError { _ = try await runner(path, timeout: .seconds(1)).run("start", ["x"]) }
        #expect(error?.message.contains("did not finish within") == true)
        // Not a timing assertion: only that it did not wait for the 600 s sleep.
        #expect(ContinuousClock.now - started < .seconds(300))
        let child = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(await SimulatedHost.waitUntilGone(child), "the script's child survived the timeout")
    }

    @Test func anUnsafeScriptIsNeverRun() async throws {
        let marker = dir.path + "/ran"
        let body = "open(my $o, '>', '\(marker)'); close($o); print \"OK=1\\n\";"
        let writable = try script(body)
        chmod(writable, 0o666)
        let link = dir.path + "/link.pl"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: try script(body))
        for (path, expected) in [(writable, "world-writable"), (link, "symbolic link"), (dir.path + "/missing.pl", "does not exist"),
                                 ("relative.pl", "not an absolute path"), (dir.path, "not a regular file")] {
            let error = await hostError { _ = try await runner(path).run("status", ["x"]) }
            #expect(error?.fault == .host && error?.message.contains(expected) == true, "\(path): \(String(describing: error))")
        }
        #expect(!FileManager.default.fileExists(atPath: marker))
        let notExecutablePerl = try dir.write("perl", "")
        let error = await hostError {
            _ = try await ControlScript(perl: notExecutablePerl, script: try script(body), timeout: .seconds(5), user: nil,
                                        environment: [:], workingDirectory: nil, logger: Logger(label: "test")).run("status", [])
        }
        #expect(error?.message.contains("VMWARE_PERL") == true)
    }

    @Test func hostChecksSayWhatToMend() throws {
        let good = try script("1;")
        let findings = VMwareHostCheck.run(VMwareSettings(setting: { ["VMWARE_SCRIPT": good][$0] }), path: SimulatedHost.bin + ":/usr/bin:/bin")
        #expect(findings.map(\.usable) == [true, true, true])
        #expect(VMwareHostCheck.problem(VMwareSettings(setting: { _ in nil }), path: "/usr/bin:/bin") == "VMWARE_SCRIPT: not set; set it to the path of condor_vm_vmware")
        let noCLI = VMwareHostCheck.run(VMwareSettings(setting: { ["VMWARE_SCRIPT": good, "VMWARE_PERL": "/nonexistent/perl"][$0] }), path: "/nonexistent")
        #expect(noCLI.filter { !$0.usable }.map(\.subject) == ["VMWARE_PERL", "VMware CLI"])
    }

    @Test(.enabled(if: geteuid() == 0, "needs root to switch users"))
    func theScriptRunsAsTheJobUser() async throws {
        let path = try script(#"use POSIX (); print "UID=$<\nEUID=$>\nGID=", (split / /, $()[0], "\nGROUPS=", join(",", split / /, $)), "\nHOME=$ENV{HOME}\nROOT=", (POSIX::setuid(0) ? "regained" : "gone"), "\nPGID=", getpgrp(), "\nPID=$$\n";"#)
        let nobody = JobUser(FileOwner(uid: 65534, gid: 65534))
        let output = try await runner(path, user: nobody).run("status", [])
        #expect(output["UID"] == "65534" && output["EUID"] == "65534" && output["GID"] == "65534")
        // Exactly the groups it was given (root's are gone). Not a literal list: another suite
        // may add nobody to a test group while this runs.
        #expect(output["GROUPS"].map { Set($0.split(separator: ",").map(String.init)) } == Set(nobody.identity.groups.map(String.init)), "\(output)")
        #expect(nobody.identity.groups.first == 65534)
        #expect(output["ROOT"] == "gone")
        // Through the switch, the script is still its own session's leader, so a timeout kills all it started.
        #expect(output["PGID"] != nil && output["PGID"] == output["PID"])
        #expect(output["HOME"] == nobody.home)
        #expect(try await runner(path, user: nobody).run("killvm", [], asRoot: true)["UID"] == "0")
    }
    /// swift-subprocess's own user change hung in the child, before `exec`, when a thread was
    /// being created at the instant of the clone; `UserSwitch` must not, however busy the gahp.
    @Test(.enabled(if: geteuid() == 0, "needs root to switch users"))
    func manyRunsAsTheJobUserWhileThreadsComeAndGo() async throws {
        let path = try script(#"print "UID=$<\n";"#)
        let nobody = JobUser(FileOwner(uid: 65534, gid: 65534))
        let churning = Atomic<Bool>(true)
        // Threads start all the time, as they do in a busy gahp; paced, so that the test does
        // not take the CPU from the suites that run beside it.
        let churn = Thread {
            while churning.load(ordering: .relaxed) {
                Thread {}.start()
                usleep(200)
            }
        }
        churn.start()
        defer { churning.store(false, ordering: .relaxed) }
        let runner = runner(path, timeout: .seconds(20), user: nobody)
        let uids = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var last: String?
                    for _ in 0..<10 { last = try await runner.run("status", [])["UID"] }
                    return last
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(uids == Array(repeating: "65534", count: 4))
    }
}

