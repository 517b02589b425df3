import CJobUser
import VMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Decides with the job user's credentials, never root's, whether the job may use a file
/// outside its working directory (shared storage), as HTCondor's starter expects.
///
/// The gahp is multi-threaded, and glibc's `setuid`/`setgroups` change every thread, so the
/// check runs on a thread of its own that takes the user's groups, file-system gid and
/// file-system uid through raw system calls (`CJobUser`); the kernel then checks that
/// thread's path lookups and opens as the user's, without root's capabilities. The thread
/// ends with the check, so no other work ever runs with those credentials.
struct JobUserAccess {
    enum Identity: Equatable {
        /// The gahp does not run as root: its own credentials are the job user's.
        case ownCredentials
        case user(uid: uid_t, gid: gid_t, groups: [gid_t])
        /// Root, but not told who the job user is (`VMGAHP_USER_UID` unset or 0).
        case unknown
    }

    let identity: Identity

    init(identity: Identity) { self.identity = identity }

    /// `jobUser` from `VMGAHP_USER_UID`/`GID`; its gid and supplementary groups as `JobUser`
    /// finds them in the user database.
    init(jobUser: FileOwner?) {
        if geteuid() != 0 {
            identity = .ownCredentials
        } else if let jobUser, jobUser.uid != 0 {
            let user = JobUser(jobUser).identity
            identity = .user(uid: user.uid, gid: user.gid, groups: user.groups)
        } else {
            identity = .unknown
        }
    }

    /// Who the checks run as, for messages.
    var who: String {
        switch identity {
        case .ownCredentials: "the gahp's own user (uid \(geteuid()))"
        case .user(let uid, let gid, _): "the job user (uid \(uid), gid \(gid))"
        case .unknown: "nobody: the job user is unknown (VMGAHP_USER_UID is unset)"
        }
    }

    /// Runs `body` as the job user; nil when that identity cannot be taken.
    func run<T>(_ body: () -> T) -> T? {
        switch identity {
        case .ownCredentials:
            return body()
        case .unknown:
            return nil
        case .user(let uid, let gid, let groups):
            var result: T?
            let became = withoutActuallyEscaping({ result = body() }) { work in
                Self.onOwnThread(uid: uid, gid: gid, groups: groups, work)
            }
            return became ? result : nil
        }
    }

    private final class ThreadWork: @unchecked Sendable {
        let uid: uid_t, gid: gid_t, groups: [gid_t]
        let body: () -> Void
        var became = false
        init(uid: uid_t, gid: gid_t, groups: [gid_t], body: @escaping () -> Void) {
            (self.uid, self.gid, self.groups, self.body) = (uid, gid, groups, body)
        }
    }

    /// Runs `body` on a new thread that has become the user, and waits for it.
    private static func onOwnThread(uid: uid_t, gid: gid_t, groups: [gid_t], _ body: @escaping () -> Void) -> Bool {
        let work = ThreadWork(uid: uid, gid: gid, groups: groups, body: body)
        let context = Unmanaged.passRetained(work).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            let work = Unmanaged<ThreadWork>.fromOpaque(raw!).takeRetainedValue()
            let became = work.groups.withUnsafeBufferPointer {
                vmgahp_thread_become(work.uid, work.gid, $0.baseAddress, $0.count) == 0
            }
            if became {
                work.became = true
                work.body()
            }
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<ThreadWork>.fromOpaque(context).release()
            return false
        }
        pthread_join(thread, nil)
        return work.became
    }
}
