import VMCore

/// What a session needs besides its driver and output.
public struct SessionConfiguration: Sendable {
    /// Turns the ad received in the last `CLASSAD` block (`nil` when none was) into a
    /// validated job for a START of the given type. It throws the `VMGAHPError` the START
    /// result reports. Kept as a function so the server does not depend on the ClassAd
    /// reader and tests can describe jobs directly.
    public typealias JobDescriber = @Sendable (_ adLines: [String]?, _ requestedType: String) throws -> JobDescription

    /// The `SUPPORT_VMS` list; a START of another type is refused with `E`.
    public var supportedTypes: [String]
    /// `VM_GAHP_REQ_TIMEOUT`: how long one driver call may take before it is reported failed.
    public var requestTimeout: Duration
    /// How long teardown (QUIT, end of input, signals) waits for each VM.
    public var teardownTimeout: Duration
    public var describeJob: JobDescriber
    /// The job's `ClusterId.ProcId` from the ad lines, for the log line of a refused START
    /// (which may be refused before the ad could be described). `nil` when unknown.
    public var jobID: @Sendable (_ adLines: [String]?) -> String?
    /// Bounds on one `CLASSAD` block, so a hostile peer cannot exhaust memory.
    public var maxAdLines: Int
    public var maxAdBytes: Int

    public init(
        supportedTypes: [String], requestTimeout: Duration = .seconds(300),
        teardownTimeout: Duration = .seconds(60), maxAdLines: Int = 100_000, maxAdBytes: Int = 64 * 1024 * 1024,
        describeJob: @escaping JobDescriber, jobID: @escaping @Sendable ([String]?) -> String? = { _ in nil }
    ) {
        self.supportedTypes = supportedTypes
        self.requestTimeout = requestTimeout
        self.teardownTimeout = teardownTimeout
        self.describeJob = describeJob
        self.jobID = jobID
        self.maxAdLines = maxAdLines
        self.maxAdBytes = maxAdBytes
    }
}
