import Foundation
import VestnikCore

/// One picture of the media library: what its bytes are (address, size), and the words the newsroom gave it.
public struct MediaItem: Sendable, Equatable {
    public var address: MediaAddress
    public var width: Int
    public var height: Int
    /// The file's size.
    public var bytes: Int
    /// What the picture shows, for readers who cannot see it; never empty.
    public var alt: String
    public var caption: String
    /// Who made the picture (photographer, agency).
    public var credit: String
    /// The file's name on the uploader's computer, kept only to find it again.
    public var originalName: String
    /// The uploader's name, and their account (nil once the account is gone).
    public var uploadedBy: String?
    public var uploaderID: Int?
    public var uploadedAt: Date
    /// What the scrubber took out of the file when it came in (or when `vestnik media scrub` rewrote it).
    public var removedMetadata: Set<MetadataKind>
    /// The point its crops keep in view: set on its page in the newsroom (`focusSet`), else where libvips' attention
    /// finder saw the most interest (stored when its renditions were made), else the centre.
    public var focus: FocalPoint = .centre
    public var focusSet = false

    public init(
        address: MediaAddress, width: Int, height: Int, bytes: Int, alt: String, caption: String = "", credit: String = "",
        originalName: String = "", uploadedBy: String? = nil, uploaderID: Int? = nil, uploadedAt: Date,
        removedMetadata: Set<MetadataKind> = []
    ) {
        self.address = address
        self.width = width
        self.height = height
        self.bytes = bytes
        self.alt = alt
        self.caption = caption
        self.credit = credit
        self.originalName = originalName
        self.uploadedBy = uploadedBy
        self.uploaderID = uploaderID
        self.uploadedAt = uploadedAt
        self.removedMetadata = removedMetadata
    }

    /// Its words (alt text, caption, credit) are changed by the one who uploaded it, or by an editor or the chief:
    /// articles that give none of their own show the library's, so a contributor must not rewrite others'.
    public func wordsMayBeChanged(by writer: ArticleWriter) -> Bool {
        writer.role.editsAnyone || (uploaderID != nil && uploaderID == writer.userID)
    }
}
