/// The media library's newsroom URLs.
enum MediaURLs {
    static let library = "/newsroom/media"
    /// The editor's picker: a page of the library as JSON.
    static let picker = "/newsroom/media.json"
    static func item(_ hash: String) -> String { "/newsroom/media/\(hash)" }
    /// Where the picture's page sends its focal point.
    static func focus(_ hash: String) -> String { "/newsroom/media/\(hash)/focus" }
}
