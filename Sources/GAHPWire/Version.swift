/// The version banner. HTCondor's starter skips to the first `$`, drops backslashes and
/// reads up to 359 bytes; it does not interpret the text. The `$...$` form lets `ident`
/// find it in the binary.
public enum GAHPVersion {
    public static let number = "0.1.0"
    public static let banner = "$VMGahpVersion \(number) Nov 25 2026 Condor\\ VMGAHP $"
}
