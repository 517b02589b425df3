import Testing

/// Every test on the real libvirtd, one at a time: one of them kills and restarts the
/// daemon, and two guests booting at once would make the timings meaningless on two cores.
@Suite(.serialized) enum KVMEndToEnd {}
