import Foundation
import TestSupport
import Testing
import VMCore

/// `condor_vm-gahp --exec-as-user`, the built binary's half of `UserSwitch`: it becomes the
/// job user for good and executes the program in its own place, or runs nothing at all.
@Suite struct UserSwitchTests {
    static let gahp = TestPaths.product("condor_vm-gahp").path

    func run(_ arguments: [String]) throws -> (status: Int32, text: String) {
        try Tools.output(Self.gahp, [UserSwitch.flag] + arguments)
    }

    @Test func malformedRequestsRunNothing() throws {
        let marker = try TemporaryDirectory(prefix: "user-switch")
        let touched = marker.url.appendingPathComponent("ran").path
        for arguments in [[], ["65534"], ["0", "65534", "65534", "/usr/bin/touch", touched], ["65534", "0", "0", "/usr/bin/touch", touched],
                          ["65534", "65534", "65534,x", "/usr/bin/touch", touched], ["65534", "65534", "", "/usr/bin/touch", touched],
                          ["65534", "65534", "65534", "touch", touched], ["-1", "65534", "65534", "/usr/bin/touch", touched]] {
            let (status, text) = try run(arguments)
            #expect(status == UserSwitch.failureStatus, "\(arguments)")
            #expect(text.hasPrefix("condor_vm-gahp --exec-as-user: usage:"), "\(arguments): \(text)")
        }
        #expect(!FileManager.default.fileExists(atPath: touched))
    }

    @Test func theProgramRunsAsTheUserForGood() throws {
        guard geteuid() == 0 else {
            // Not root: the switch cannot happen, and says so rather than running as the wrong user.
            let (status, text) = try run(["65534", "65534", "65534", "/usr/bin/id"])
            #expect(status == UserSwitch.failureStatus && text.contains("setgroups"), "\(text)")
            return
        }
        let (status, text) = try run(["65534", "65534", "65534", "/usr/bin/perl", "-e",
                                      #"use POSIX (); print "$< $> $( | $) | ", (POSIX::setuid(0) ? "root" : "no-root"), "\n""#])
        #expect(status == 0)
        #expect(text == "65534 65534 65534 65534 | 65534 65534 | no-root\n", "\(text)")
        let missing = try run(["65534", "65534", "65534", "/nonexistent/program"])
        #expect(missing.status == UserSwitch.failureStatus && missing.text.contains("/nonexistent/program: No such file"), "\(missing.text)")
    }

    @Test func theProgramTakesTheSwitchsPlace() throws {
        guard geteuid() == 0 else { print("SKIP: not root, no user switch"); return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.gahp)
        process.arguments = [UserSwitch.flag, "65534", "65534", "65534", "/usr/bin/perl", "-e", "print $$"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(text == String(process.processIdentifier), "the program must be executed in place, not as a child")
    }
}
