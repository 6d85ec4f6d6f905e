import Console

// The theme parser on arbitrary text: a theme or a ThemeError, never a trap.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTheme(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try ThemeLoader.parse(text, file: "fuzz.yaml")
    } catch is ThemeLoader.ThemeError {
    } catch {
        preconditionFailure("theme parse threw something other than ThemeError: \(error)")
    }
    return 0
}
