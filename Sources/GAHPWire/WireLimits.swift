/// Bounds the starter puts on what we write.
public enum WireLimits {
    /// The starter's `read_argv` asserts on lines of 10 KiB or more, aborting the starter,
    /// so every line we write, LF included, stays strictly below this.
    public static let maxReplyLineBytes = 10 * 1024
    /// Room left for a free-text field after the request id and status in a result line.
    public static let maxMessageBytes = 8 * 1024
}
