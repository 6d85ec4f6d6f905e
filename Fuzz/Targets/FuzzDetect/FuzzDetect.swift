import Ingest

// The format detector on one line of arbitrary bytes. The byte and String entry points must
// agree on valid UTF-8 (the String one is what tests and small callers use).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDetect(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let f = FormatDetection.detect(bytes)
    if let s = String(validating: bytes, as: UTF8.self) {
        precondition(FormatDetection.detect(s) == f, "byte and String detection disagree")
    }
    return 0
}
