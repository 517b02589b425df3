#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a program as the job user, the one way the gahp (root, many threads) can do so safely.
///
/// swift-subprocess 1.0 applies `userID`, `groupID` and `supplementaryGroups` in a child it
/// makes with a raw `clone3`. There glibc's `setgroups`/`setgid`/`setuid` still see the
/// parent's threads and wait for each to acknowledge the change (`__nptl_setxid`); a thread
/// that was being created at the instant of the clone never will, and the child hangs before
/// `exec`, for ever. On a loaded host that happened to one VMware START in a few dozen.
///
/// So the program is started through the gahp's own binary, spawned without any user change
/// (glibc's `posix_spawn`, which is safe in a threaded process):
/// `condor_vm-gahp --exec-as-user UID GID GROUPS PROGRAM ARGS...` takes the user's groups,
/// gid and uid as a freshly executed process, confirms it can never return to root, and
/// executes the program in its place: same pid, session, descriptors and environment.
public struct UserSwitch: Sendable, Equatable {
    /// The hidden first argument of `condor_vm-gahp` that does the switch.
    public static let flag = "--exec-as-user"
    /// Exit status when the identity cannot be taken or the program cannot be run, as
    /// `env`/`setpriv` report a command that could not be invoked.
    public static let failureStatus: Int32 = 126

    /// A binary that understands `flag`.
    public var executable: String

    public init(executable: String) { self.executable = executable }

    /// The running gahp itself. The kernel resolves `/proc/self/exe` in the spawned child,
    /// which is this binary even when its file has been replaced since (a package upgrade).
    public static let ownExecutable = UserSwitch(executable: "/proc/self/exe")

    /// Who a program runs as.
    public struct Identity: Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        /// Supplementary groups; the primary gid is added when missing.
        public var groups: [UInt32]

        public init(uid: UInt32, gid: UInt32, groups: [UInt32]) {
            self.uid = uid
            self.gid = gid
            self.groups = groups
        }
    }

    /// The executable and arguments that run `program` (an absolute path) with `arguments`
    /// as `identity`.
    public func command(_ program: String, _ arguments: [String], as identity: Identity) -> (executable: String, arguments: [String]) {
        let groups = ([identity.gid] + identity.groups.filter { $0 != identity.gid }).map(String.init).joined(separator: ",")
        return (executable, [Self.flag, String(identity.uid), String(identity.gid), groups, program] + arguments)
    }

    /// The `--exec-as-user` half, given the arguments after the flag. Never returns: it
    /// executes the program, or writes why it could not to stderr and exits with
    /// `failureStatus`. Refuses uid 0: it exists to drop root, never to keep it.
    public static func execute(_ arguments: [String]) -> Never {
        let groupFields = arguments.count > 2 ? arguments[2].split(separator: ",", omittingEmptySubsequences: false) : []
        let groups = groupFields.compactMap { gid_t($0) }
        guard arguments.count >= 4, let uid = uid_t(arguments[0]), uid != 0, let gid = gid_t(arguments[1]), gid != 0,
              !groups.isEmpty, groups.count == groupFields.count, arguments[3].hasPrefix("/")
        else {
            fail("usage: \(flag) UID GID GID[,GID...] /PROGRAM [ARGUMENT...] (UID and GID not 0)")
        }
        let program = arguments[3]
        // Groups first, then the gid, then the uid: each step gives up the right to the earlier
        // ones. As root, setgid and setuid set the real, effective and saved ids alike.
        guard groups.withUnsafeBufferPointer({ setgroups($0.count, $0.baseAddress) }) == 0 else { fail("setgroups: \(reason())") }
        guard setgid(gid) == 0 else { fail("setgid(\(gid)): \(reason())") }
        guard setuid(uid) == 0 else { fail("setuid(\(uid)): \(reason())") }
        guard getuid() == uid, geteuid() == uid, getgid() == gid, getegid() == gid, setuid(0) != 0, setegid(0) != 0 else {
            fail("the identity uid \(uid), gid \(gid) did not take hold")
        }
        let argv = ([program] + arguments.dropFirst(4)).map { strdup($0) } + [nil]
        execv(program, argv)
        fail("\(program): \(reason())")
    }

    private static func reason() -> String { String(cString: strerror(errno)) }

    private static func fail(_ message: String) -> Never {
        let line = "condor_vm-gahp \(flag): \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        exit(failureStatus)
    }
}
