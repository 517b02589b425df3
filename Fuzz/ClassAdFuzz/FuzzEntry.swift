// libFuzzer entry for the ClassAd lexer, parser, evaluator and writer.
//
// Built by scripts/fuzz-classad.sh directly with swiftc over Sources/ClassAd/*.swift and
// this file (one module, so the internal lexer and parser are reachable); it is not part
// of the SwiftPM package graph. A finding is any crash, trap, sanitizer report or hang.

@_cdecl("LLVMFuzzerTestOneInput")
public func classAdFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))

    // The lexer and parser on their own, over the raw bytes as one expression.
    _ = try? Lexer.tokenize(bytes)
    _ = try? Parser.parse(bytes)

    // The whole path the gahp takes: lines from a pipe into an ad, then every attribute
    // evaluated and written back, and the written text read again.
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
    return 0
}
