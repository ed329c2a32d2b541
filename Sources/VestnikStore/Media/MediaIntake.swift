import Foundation
import VestnikCore

/// The one way a picture enters the media library, for the newsroom's upload form and for importers alike: its
/// type and size read from its own bytes, location, camera and owner metadata scrubbed out before anything else
/// sees it, the clean file stored under the SHA-256 of its bytes (the same bytes are stored once), its row added,
/// and its renditions queued for the background worker.
public struct MediaIntake: Sendable {
    public let repository: MediaRepository
    public let files: MediaFiles
    public let renditions: MediaRenditions
    /// The largest file taken, in bytes.
    public let maxBytes: Int

    public init(repository: MediaRepository, files: MediaFiles, renditions: MediaRenditions, maxBytes: Int) {
        self.repository = repository
        self.files = files
        self.renditions = renditions
        self.maxBytes = maxBytes
    }

    public init(database: Database, folder: URL, maxBytes: Int) {
        let files = MediaFiles(folder: folder)
        self.init(
            repository: MediaRepository(database: database), files: files,
            renditions: MediaRenditions(database: database, files: files), maxBytes: maxBytes)
    }

    /// Why a file is not taken.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case empty, tooLarge, notAnImage, damaged, tooManyPixels, tooManyFrames, noAlt, wordsTooLong

        public var description: String {
            switch self {
            case .empty: "the file is empty"
            case .tooLarge: "the file is larger than the media size limit"
            case .notAnImage: "not a JPEG, PNG, WebP or GIF picture"
            case .damaged: "a damaged or cut-short picture"
            case .tooManyPixels: "too many pixels"
            case .tooManyFrames: "an animation with too many frames"
            case .noAlt: "the alt text is empty"
            case .wordsTooLong: "the alt text, caption or credit is longer than 1,000 characters"
            }
        }
    }

    /// The words a picture is given: alt text (required), caption and credit (empty: the file's own EXIF artist).
    public struct Words: Sendable, Equatable {
        public var alt: String
        public var caption: String
        public var credit: String

        public init(alt: String, caption: String = "", credit: String = "") {
            self.alt = alt
            self.caption = caption
            self.credit = credit
        }
    }

    /// Checks, scrubs and stores `bytes`. A picture already in the library keeps its row and words (`created` false).
    public func add(
        _ bytes: [UInt8], words: Words, fileName: String, uploadedBy userID: Int?, now: Date
    ) async throws -> Result<(item: MediaItem, created: Bool), Refusal> {
        guard !bytes.isEmpty else { return .failure(.empty) }
        guard bytes.count <= maxBytes else { return .failure(.tooLarge) }
        let info: ImageInfo
        switch ImageFile.inspect(bytes) {
        case .failure(.notAnImage): return .failure(.notAnImage)
        case .failure(.damaged): return .failure(.damaged)
        case .failure(.tooManyPixels): return .failure(.tooManyPixels)
        case .success(let found): info = found
        }
        // Scrubbed before anything else sees it: the content address is the clean file's.
        guard case .success(let clean) = ImageScrubber.scrub(bytes, format: info.format) else { return .failure(.damaged) }
        if !ImageFile.framesFit(clean.frames, width: info.width, height: info.height) { return .failure(.tooManyFrames) }
        if words.alt.isEmpty { return .failure(.noAlt) }
        if [words.alt, words.caption, words.credit].contains(where: { $0.count > 1_000 }) { return .failure(.wordsTooLong) }
        let address = MediaAddress(bytes: clean.bytes, format: info.format)
        try files.store(clean.bytes, at: address)
        let shown = clean.displayed(width: info.width, height: info.height)
        let (item, created) = try await repository.add(
            MediaItem(
                address: address, width: shown.width, height: shown.height, bytes: clean.bytes.count, alt: words.alt,
                caption: words.caption, credit: words.credit.isEmpty ? clean.credit ?? "" : words.credit,
                originalName: String(fileName.suffix(200)), uploadedAt: now, removedMetadata: clean.removed),
            uploadedBy: userID)
        // The smaller sizes and other formats are made in the background (`RenditionWorker`); queued even without
        // libvips, so installing it later makes them.
        if created { try await renditions.enqueue(address.hash, now: now) }
        return .success((item, created))
    }
}
