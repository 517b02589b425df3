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

    /// `jobUser` from `VMGAHP_USER_UID`/`GID`; its supplementary groups come from the user
    /// database (the gid given plus the user's own groups).
    init(jobUser: FileOwner?) {
        if geteuid() != 0 {
            identity = .ownCredentials
        } else if let jobUser, jobUser.uid != 0 {
            let (gid, groups) = Self.credentials(of: jobUser)
            identity = .user(uid: jobUser.uid, gid: gid, groups: groups)
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

    /// The file-system gid and groups to check with: the gid given and the groups the user
    /// database lists for the user. A gid equal to the uid is what a missing
    /// `VMGAHP_USER_GID` becomes (`HostSettings.jobOwner`); where that number is not one of
    /// the user's groups, the user's primary group is taken instead, so that a default never
    /// lends the job a stranger's group.
    static func credentials(of owner: FileOwner) -> (gid: gid_t, groups: [gid_t]) {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(owner.uid, &entry, &buffer, buffer.count, &found) == 0, found != nil, let name = entry.pw_name else {
            return (owner.gid, [owner.gid])
        }
        var count: Int32 = 64
        var listed = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, entry.pw_gid, &listed, &count) < 0 {
            listed = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, entry.pw_gid, &listed, &count)
        }
        let groups = Array(listed.prefix(Int(max(0, count))))
        let gid = owner.gid == owner.uid && !groups.contains(owner.gid) ? entry.pw_gid : owner.gid
        return (gid, [gid] + groups.filter { $0 != gid })
    }
}
