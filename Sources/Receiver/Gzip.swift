import CZlib

/// Why a compressed body was refused.
enum InflateError: Error, Equatable {
    /// The body would inflate past the limit; inflating stopped there.
    case tooLarge(limit: Int)
    /// zlib refused the stream (bad header, bad checksum, cut short).
    case corrupt(String)
}

/// Inflates a gzip (or zlib) request body, stopping as soon as the output would pass `limit`
/// bytes, so a small hostile body never costs more than the limit in memory.
func inflateBody(_ input: [UInt8], limit: Int) throws(InflateError) -> [UInt8] {
    var stream = z_stream()
    // 15 + 32: a 32 KiB window and automatic gzip/zlib header detection.
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw .corrupt("zlib could not start")
    }
    defer { inflateEnd(&stream) }
    var out = [UInt8]()
    out.reserveCapacity(min(limit, max(4096, input.count * 4)))
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    return try input.withUnsafeBufferPointer { (inp: UnsafeBufferPointer<UInt8>) throws(InflateError) -> [UInt8] in
        stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress)
        stream.avail_in = UInt32(inp.count)
        while true {
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { c -> (Int32, Int) in
                stream.next_out = c.baseAddress
                stream.avail_out = UInt32(c.count)
                let s = inflate(&stream, Z_NO_FLUSH)
                return (s, c.count - Int(stream.avail_out))
            }
            if out.count + produced > limit { throw .tooLarge(limit: limit) }
            out.append(contentsOf: chunk[0..<produced])
            switch status {
            case Z_STREAM_END:
                return out
            case Z_OK:
                continue
            case Z_BUF_ERROR where stream.avail_in == 0:
                throw .corrupt("gzip stream is cut short")
            default:
                let msg = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw .corrupt("gzip: \(msg)")
            }
        }
    }
}
