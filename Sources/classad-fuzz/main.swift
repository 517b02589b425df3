import ClassAd
import FuzzSupport

/// Fuzzes the old-syntax ClassAd reader the way the gahp uses it: lines from a pipe into an
/// ad, every attribute evaluated and written back, the written text read again; and the
/// whole input as one expression. Any crash, trap, sanitizer report or hang is a finding.
/// Run by `scripts/fuzz.sh classad`.
FuzzHarness.main { bytes in
    let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    let (ad, _) = ClassAd.parse(lineBytes: lines)
    for name in ad.attributeNames {
        _ = ad.evaluate(name)
        if let text = ad.unparsedOld(name) {
            let (again, _) = ClassAd.parse(lines: [text])
            _ = again.evaluate(name)
        }
    }
    if let text = String(validating: bytes, as: UTF8.self) {
        _ = try? ad.evaluate(expression: text)
    }
}
