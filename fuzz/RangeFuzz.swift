// libFuzzer target for the `Range` header of the media files (Sources/VestnikCore/Media/ByteRange.swift): any header
// against file sizes around it. Built by `fuzz/run.sh range`; a crash, a hang or a broken property is a finding.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for fileSize in [0, 1, 100, 1 << 40] {
        switch ByteRange(header: text, size: fileSize) {
        case .part(let range):
            // A part always lies inside the file.
            if range.lowerBound < 0 || range.upperBound >= fileSize {
                FileHandle.standardError.write(Data("property broken: \(range) outside \(fileSize)\n".utf8))
                abort()
            }
        case .whole, .unsatisfiable: break
        }
    }
    return 0
}
