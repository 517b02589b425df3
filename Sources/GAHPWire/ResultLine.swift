/// A line in the reply to `RESULTS`.
///
/// The starter checks that every non-STATUS result has exactly three fields, so a value
/// or error text always travels as one escaped field; STATUS is the one result whose
/// `KEY=VALUE` pairs are separate fields.
public struct ResultLine: Sendable, Equatable {
    public var requestID: Int
    public var succeeded: Bool
    /// Fields after the status, already in wire form.
    public var fields: [String]

    /// A success or failure carrying one free-text value (`NULL` when empty).
    public init(requestID: Int, succeeded: Bool, value: String) {
        self.requestID = requestID
        self.succeeded = succeeded
        self.fields = [value.isEmpty ? "NULL" : GAHPArguments.escape(value, maxBytes: WireLimits.maxMessageBytes)]
    }

    /// A success made of several fields that must stay separate (STATUS's `KEY=VALUE` list).
    /// Each field is escaped; fields that would push the line past the limit are dropped.
    public init(requestID: Int, fields: [String]) {
        self.requestID = requestID
        self.succeeded = true
        var kept: [String] = []
        var size = "\(requestID) 0".utf8.count + 1
        for field in fields {
            let escaped = GAHPArguments.escape(field, maxBytes: WireLimits.maxMessageBytes)
            if size + 1 + escaped.utf8.count >= WireLimits.maxReplyLineBytes { break }
            size += 1 + escaped.utf8.count
            kept.append(escaped)
        }
        self.fields = kept.isEmpty ? ["NULL"] : kept
    }

    public var text: String {
        "\(requestID) \(succeeded ? 0 : 1) " + fields.joined(separator: " ")
    }
}
