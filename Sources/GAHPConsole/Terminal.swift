import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The admin's terminal: raw mode for the line editor, restored however the process ends.
///
/// The gahp ends through `exit` from another thread (QUIT's teardown, SIGTERM), so the
/// saved settings are restored by an `atexit` handler rather than by whoever switched.
enum Terminal {
    private static let saved = Mutex<termios?>(nil)

    /// Whether `fd` is a terminal that can do raw mode (not `TERM=dumb`).
    static func canEdit(_ fd: Int32, environment: [String: String]) -> Bool {
        var settings = termios()
        return isatty(fd) == 1 && tcgetattr(fd, &settings) == 0 && environment["TERM"] != "dumb"
    }

    /// Character-at-a-time input without echo or signal keys (the editor handles Ctrl-C and
    /// Ctrl-D itself); output processing stays on, so `\n` still starts a new line.
    static func enterRawMode(_ fd: Int32) -> Bool {
        var settings = termios()
        guard tcgetattr(fd, &settings) == 0 else { return false }
        let first = saved.withLock { current -> Bool in
            defer { if current == nil { current = settings } }
            return current == nil
        }
        if first { atexit { Terminal.restore() } }
        settings.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG | IEXTEN)
        settings.c_iflag &= ~tcflag_t(IXON | ICRNL | INLCR)
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        return tcsetattr(fd, TCSADRAIN, &settings) == 0
    }

    static func restore() {
        guard var settings = saved.withLock({ $0 }) else { return }
        tcsetattr(STDIN_FILENO, TCSADRAIN, &settings)
    }
}
