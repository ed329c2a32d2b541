import Foundation
import HTTPTypes
import VestnikCore
import VestnikStore

/// The one way a picture enters the media library, for the newsroom's upload form and the admin API: the size
/// limit, the format and pixel checks, the metadata scrub (the content address is the clean file's), the words a
/// picture needs, the stored file and library entry, and its renditions queued for the background worker.
struct MediaIntake: Sendable {
    let site: Site

    /// The refusal of a file that is no picture (the admin API answers it 415).
    static let notAnImage = "nr_media_error_type"

    /// Why a picture was refused: the locale key of the message (formatted with the limits) and the HTTP status.
    struct Refusal: Error, Equatable {
        var key: String
        var status: HTTPResponse.Status
    }

    /// Accepts `bytes` (`complete`: false when the upload was cut at the limit) uploaded by user `userID`; the item,
    /// and whether it is new (the same picture again is the same item).
    func accept(
        _ bytes: [UInt8], complete: Bool, fileName: String, alt: String, caption: String, credit: String, by userID: Int
    ) async throws -> Result<(item: MediaItem, created: Bool), Refusal> {
        guard complete, bytes.count <= site.mediaSettings.maxBytes else {
            return .failure(Refusal(key: "nr_media_error_size", status: .contentTooLarge))
        }
        let info: ImageInfo
        switch ImageFile.inspect(bytes) {
        case .failure(.notAnImage): return .failure(Refusal(key: Self.notAnImage, status: .unprocessableContent))
        case .failure(.damaged): return .failure(Refusal(key: "nr_media_error_damaged", status: .unprocessableContent))
        case .failure(.tooManyPixels): return .failure(Refusal(key: "nr_media_error_pixels", status: .unprocessableContent))
        case .success(let found): info = found
        }
        // Scrubbed before anything else sees it: the content address is the clean file's.
        guard case .success(let clean) = ImageScrubber.scrub(bytes, format: info.format) else {
            return .failure(Refusal(key: "nr_media_error_damaged", status: .unprocessableContent))
        }
        if !ImageFile.framesFit(clean.frames, width: info.width, height: info.height) {
            return .failure(Refusal(key: "nr_media_error_frames", status: .unprocessableContent))
        }
        if alt.isEmpty { return .failure(Refusal(key: "nr_media_error_alt", status: .unprocessableContent)) }
        if [alt, caption, credit].contains(where: { $0.count > 1_000 }) {
            return .failure(Refusal(key: "nr_error_field_long", status: .unprocessableContent))
        }
        let address = MediaAddress(bytes: clean.bytes, format: info.format)
        try site.mediaFiles.store(clean.bytes, at: address)
        let shown = clean.displayed(width: info.width, height: info.height)
        let (item, created) = try await site.media.add(
            MediaItem(
                address: address, width: shown.width, height: shown.height, bytes: clean.bytes.count, alt: alt, caption: caption,
                credit: credit.isEmpty ? clean.credit ?? "" : credit, originalName: String(fileName.suffix(200)), uploadedAt: site.now(),
                removedMetadata: clean.removed),
            uploadedBy: userID)
        // The smaller sizes and other formats are made in the background (`RenditionWorker`); queued even without
        // libvips, so installing it later makes them.
        if created { try await site.renditions.enqueue(address.hash, now: site.now()) }
        return .success((item, created))
    }
}
