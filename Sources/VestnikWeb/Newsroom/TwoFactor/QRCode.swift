import Foundation
import VestnikCore
import VestnikStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// QR codes for the two-factor enrolment page, by Debian's libqrencode (`libqrencode4`), opened at run time as
/// libvips is (a fresh clone builds without it). Without it the page shows the key as text only and says why.
public enum QRCode {
    private typealias Encode = @convention(c) (UnsafePointer<CChar>?, Int32, Int32, Int32, Int32) -> UnsafeMutableRawPointer?
    private typealias Free = @convention(c) (UnsafeMutableRawPointer?) -> Void

    private struct Library: @unchecked Sendable {
        let encode: Encode
        let free: Free
    }

    /// libqrencode's functions, or why they are not here.
    private static let library: Result<Library, InvalidInput> = {
        let names = ["libqrencode.so.4", "libqrencode.so", "libqrencode.4.dylib", "libqrencode.dylib"]
        guard let handle = names.lazy.compactMap({ dlopen($0, RTLD_NOW | RTLD_LOCAL) }).first else {
            return .failure(InvalidInput("libqrencode is not installed (Debian: apt-get install libqrencode4)"))
        }
        guard let encode = dlsym(handle, "QRcode_encodeString"), let free = dlsym(handle, "QRcode_free") else {
            return .failure(InvalidInput("libqrencode has no QRcode_encodeString"))
        }
        return .success(Library(encode: unsafeBitCast(encode, to: Encode.self), free: unsafeBitCast(free, to: Free.self)))
    }()

    /// Nil when QR codes can be drawn, else why not, in a sentence.
    public static var problem: String? {
        if case .failure(let error) = library { return error.description }
        return nil
    }

    /// Whether QR codes are on, in a sentence for the start-up log and `/readyz` (as picture renditions say of
    /// libvips).
    public static var summary: String {
        problem.map { "two-factor enrolment QR codes are off, the page shows the key as text only: \($0)" }
            ?? "two-factor enrolment QR codes on: libqrencode"
    }

    /// The dark modules of `text`'s QR code (error correction level M, byte mode), row by row; nil without the library
    /// or for text too long for any QR code.
    public static func modules(_ text: String) -> [[Bool]]? {
        guard case .success(let library) = library, text.utf8.count <= 2_000 else { return nil }
        // QR_ECLEVEL_M = 1, QR_MODE_8 = 2, case-sensitive.
        guard let code = text.withCString({ library.encode($0, 0, 1, 2, 1) }) else { return nil }
        defer { library.free(code) }
        // struct QRcode { int version; int width; unsigned char *data; }: each byte's lowest bit is a dark module.
        let width = Int(code.load(fromByteOffset: 4, as: Int32.self))
        guard width > 0, width <= 177, let data = code.load(fromByteOffset: 8, as: UnsafePointer<UInt8>?.self) else { return nil }
        return (0..<width).map { row in (0..<width).map { column in data[row * width + column] & 1 == 1 } }
    }

    /// The QR code of `text` as an inline SVG (one path, a quiet zone of four modules), or nil (see `modules`).
    public static func svg(_ text: String, title: String) -> String? {
        guard let modules = modules(text) else { return nil }
        let size = modules.count + 8
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(size) \(size)" width="220" height="220" role="img" \
            shape-rendering="crispEdges"><title>\(HTML.escape(title))</title><rect width="\(size)" height="\(size)" fill="#fff"/>\
            <path d="\(path)" fill="#000"/></svg>
            """
    }
}
