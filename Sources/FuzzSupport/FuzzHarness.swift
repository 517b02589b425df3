#if canImport(Glibc)
    import Glibc
#endif

/// The glue between a fuzz target and libFuzzer, shared by every fuzz executable.
///
/// `scripts/fuzz.sh` builds the targets with `swift build -Xswiftc -sanitize=fuzzer,address
/// -Xswiftc -DFUZZING`. SwiftPM links an executable's entry point as `main`, which shadows
/// libFuzzer's own, so the entry point hands control to `LLVMFuzzerRunDriver`. Without
/// `FUZZING` the same executable replays the files named on its command line, so a finding
/// can be reproduced in an ordinary debug build.
public enum FuzzHarness {
    nonisolated(unsafe) static var body: ([UInt8]) -> Void = { _ in }

    public static func main(_ body: @escaping ([UInt8]) -> Void) -> Never {
        self.body = body
        #if FUZZING
            var count = CommandLine.argc
            var arguments = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&count, &arguments, LLVMFuzzerTestOneInput))
        #else
            var status: Int32 = 0
            for path in CommandLine.arguments.dropFirst() {
                guard let bytes = readFile(path) else {
                    print("cannot read \(path)")
                    status = 1
                    continue
                }
                body(bytes)
                print("replayed \(path) (\(bytes.count) bytes)")
            }
            exit(status)
        #endif
    }
}

#if FUZZING
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// libFuzzer's runtime links its own `main` too, which needs this symbol.
    @_cdecl("LLVMFuzzerTestOneInput")
    func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        FuzzHarness.body(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
#endif
