import Foundation

/// Where the media library keeps its files and how large one may be; from `--media-dir` and `--media-max-mb`.
public struct MediaSettings: Sendable {
    /// The folder of the library's files (`./media` next to a SQLite database by default).
    public var folder: URL
    /// The largest picture accepted, in bytes.
    public var maxBytes: Int

    public static let defaultMaxBytes = 10 * 1024 * 1024

    public init(folder: URL = URL(fileURLWithPath: "media"), maxBytes: Int = MediaSettings.defaultMaxBytes) {
        self.folder = folder
        self.maxBytes = maxBytes
    }

    /// Room for the form's text fields and the multipart framing around the file.
    var maxBodyBytes: Int { maxBytes + 64 * 1024 }
    /// Past this much, an oversize upload is not even read to its end (the connection is closed with a bare 413);
    /// below it, it is drained so the browser can show our page that says what went wrong.
    var drainLimit: Int { maxBodyBytes * 4 }
}
