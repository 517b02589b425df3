import VMCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The job user as the user database knows them. The one source of who the gahp, as root,
/// checks shared files as (`JobUserAccess`) and runs programs as (the VMware control script,
/// `qemu-img`), so the three never disagree on a group.
public struct JobUser: Sendable, Equatable {
    /// The uid given; the gid given, unless it was defaulted (see `init`); and the groups
    /// the user database lists for the user, that gid first.
    public var identity: UserSwitch.Identity
    public var home: String?
    public var name: String?

    /// A gid equal to the uid is what a missing `VMGAHP_USER_GID` becomes
    /// (`HostSettings.jobOwner`); where that number is not one of the user's groups, the
    /// user's primary group is taken instead, so that a default never lends the job a
    /// stranger's group. A uid the database does not know keeps just the gid given.
    public init(_ owner: FileOwner) {
        var entry = passwd()
        var found: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16384)
        guard getpwuid_r(owner.uid, &entry, &buffer, buffer.count, &found) == 0, found != nil, let name = entry.pw_name else {
            identity = UserSwitch.Identity(uid: owner.uid, gid: owner.gid, groups: [owner.gid])
            return
        }
        var count: Int32 = 64
        var listed = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, entry.pw_gid, &listed, &count) < 0 {
            listed = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, entry.pw_gid, &listed, &count)
        }
        let groups = Array(listed.prefix(Int(max(0, count))))
        let gid = owner.gid == owner.uid && !groups.contains(owner.gid) ? entry.pw_gid : owner.gid
        identity = UserSwitch.Identity(uid: owner.uid, gid: gid, groups: [gid] + groups.filter { $0 != gid })
        self.name = String(cString: name)
        home = entry.pw_dir.map { String(cString: $0) }
    }
}
