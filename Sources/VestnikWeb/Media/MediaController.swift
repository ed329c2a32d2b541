import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The media library: uploads and the library's pages in the newsroom (any role; a picture's words are changed by
/// its uploader or an editor, and audited), and the pictures themselves at their public, content-addressed URLs
/// (`/media/<sha256>.<ext>`), cached forever. Every upload is scrubbed of location, camera and owner metadata
/// (`ImageScrubber`) before it is hashed and stored, so what readers fetch is the clean file.
struct MediaController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let pageSize = 40
    private var newsroom: NewsroomPages { NewsroomPages(site: site) }
    private var t: SiteLocale { site.locale }

    /// The pictures, for everyone.
    func addPublicRoutes(to router: Router<Context>) {
        router.get("/media/{file}", use: file)
    }

    /// The newsroom's pages (behind `NewsroomMiddleware`, which checks the session's CSRF token on every POST).
    func addRoutes(to group: RouterGroup<Context>) {
        group.get("media", use: library)
        group.post("media", use: upload)
        group.get("media.json", use: picker)
        group.get("media/{hash}", use: editPage)
        group.post("media/{hash}", use: edit)
        group.post("media/{hash}/focus", use: focus)
    }

    // MARK: Public

    @Sendable func file(_ request: Request, context: Context) async throws -> Response {
        // Only `<64 hex>.<ext>` of a picture in the library, of one of its renditions or of an embedded post's
        // thumbnail; anything else (`..`, other names) is a 404.
        guard let address = MediaAddress(fileName: context.parameters.get("file") ?? "") else { throw HTTPError(.notFound) }
        if let item = try await site.media.item(hash: address.hash) {
            guard item.address == address else { throw HTTPError(.notFound) }
        } else if try await !site.renditions.isRendition(address), try await !site.embedPreviews.isThumbnail(address) {
            // A file rewritten by `vestnik media scrub`: its old address leads to the new one, for good.
            guard let moved = try await site.media.moved(address) else { throw HTTPError(.notFound) }
            return Response(status: .movedPermanently, headers: [.location: moved.path, .cacheControl: "public, max-age=31536000"])
        }
        let path = site.mediaFiles.folder.appendingPathComponent(address.fileName).path
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { throw HTTPError(.notFound) }
        // The address is the SHA-256 of the bytes: the strongest validator there is, and the file never changes.
        let etag = "\"\(address.hash)\""
        var headers: HTTPFields = [
            .contentType: address.format.mediaType, .eTag: etag, .cacheControl: "public, max-age=31536000, immutable",
            .acceptRanges: "bytes", HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ]
        if Response.clientHasIt(request, etag: etag, lastModified: nil) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        // `If-Range` with anything but this ETag asks for the whole file.
        let ifRangeHolds = request.headers[.ifRange].map { $0 == etag } ?? true
        let rangeHeader = ifRangeHolds ? request.headers[.range] : nil
        // Streamed from the file in chunks, never read whole into memory.
        let files = FileIO(threadPool: .singleton)
        switch ByteRange(header: rangeHeader, size: size) {
        case .whole:
            if request.method == .head {
                headers[.contentLength] = String(size)
                return Response(status: .ok, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: try await files.loadFile(path: path, context: context))
        case .part(let range):
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            if request.method == .head {
                headers[.contentLength] = String(range.count)
                return Response(status: .partialContent, headers: headers)
            }
            return Response(
                status: .partialContent, headers: headers, body: try await files.loadFile(path: path, range: range, context: context))
        case .unsatisfiable:
            headers[.contentRange] = "bytes */\(size)"
            headers[.contentType] = nil
            return Response(status: .rangeNotSatisfiable, headers: headers)
        }
    }

    // MARK: Newsroom

    @Sendable func library(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await newsroom.signInFirst() }
        let query = FormQuery(request.uri.query)
        let info = query.all("added").first.map { t[$0 == "old" ? "nr_media_known" : "nr_media_added"] }
        return try await libraryPage(request, session: session, info: info)
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await newsroom.signInFirst() }
        let form = context.newsroom.form ?? FormQuery(nil)
        func one(_ name: String) -> String { (form.all(name).first ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let words = MediaWordsView(alt: one("alt"), caption: one("caption"), credit: one("credit"))
        let wantsJSON = request.headers[.accept]?.contains("application/json") == true
        func refuse(_ key: String, _ status: HTTPResponse.Status) async throws -> Response {
            let message = t.format(
                key,
                [
                    "size": maxSize, "megapixels": String(ImageFile.maxPixels / 1_000_000), "side": String(ImageFile.maxPixelSide),
                    "frames": String(ImageFile.maxFrames),
                ])
            if wantsJSON { return try json(["error": message], status: status) }
            return try await libraryPage(request, session: session, words: words, message: message, status: status)
        }
        guard let file = context.newsroom.upload, !file.bytes.isEmpty || !file.complete else {
            return try await refuse("nr_media_error_nofile", .unprocessableContent)
        }
        guard file.complete else { return try await refuse("nr_media_error_size", .contentTooLarge) }
        let intake = MediaIntake(
            repository: site.media, files: site.mediaFiles, renditions: site.renditions, maxBytes: site.mediaSettings.maxBytes)
        let added = try await intake.add(
            file.bytes, words: MediaIntake.Words(alt: words.alt, caption: words.caption, credit: words.credit),
            fileName: file.fileName, uploadedBy: session.user.id, now: site.now())
        let item: MediaItem
        let created: Bool
        switch added {
        case .success(let result): (item, created) = result
        case .failure(.empty): return try await refuse("nr_media_error_nofile", .unprocessableContent)
        case .failure(.tooLarge): return try await refuse("nr_media_error_size", .contentTooLarge)
        case .failure(.notAnImage): return try await refuse("nr_media_error_type", .unprocessableContent)
        case .failure(.damaged): return try await refuse("nr_media_error_damaged", .unprocessableContent)
        case .failure(.tooManyPixels): return try await refuse("nr_media_error_pixels", .unprocessableContent)
        case .failure(.tooManyFrames): return try await refuse("nr_media_error_frames", .unprocessableContent)
        case .failure(.noAlt): return try await refuse("nr_media_error_alt", .unprocessableContent)
        case .failure(.wordsTooLong): return try await refuse("nr_error_field_long", .unprocessableContent)
        }
        if wantsJSON { return try json(MediaPickerItem(item), status: created ? .created : .ok) }
        return newsroom.redirect(MediaURLs.library + "?added=" + (created ? "new" : "old"))
    }

    @Sendable func picker(_ request: Request, context: Context) async throws -> Response {
        guard context.newsroom.session != nil else { return Response(status: .unauthorized) }
        // `?hash=…&hash=…`: those pictures, in that order (the editor's gallery, opened again to be edited).
        let hashes = FormQuery(request.uri.query).all("hash")
        if !hashes.isEmpty {
            guard hashes.count <= Gallery.maxPictures, hashes.allSatisfy(MediaAddress.isHash) else { throw HTTPError(.badRequest) }
            let found = try await site.media.items(hashes: hashes)
            return try json(MediaPickerPage(items: hashes.compactMap { found[$0] }.map(MediaPickerItem.init), next: nil))
        }
        let (items, next, text) = try await page(request, size: 24)
        let nextURL = next.map { SiteURLs.withQuery(MediaURLs.picker, [("q", text), ("after", $0.text)]) }
        return try json(MediaPickerPage(items: items.map(MediaPickerItem.init), next: nextURL))
    }

    @Sendable func editPage(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await newsroom.signInFirst() }
        let item = try await loadItem(context)
        let query = FormQuery(request.uri.query)
        let info =
            query.all("saved").first.map { _ in t["nr_saved"] } ?? query.all("focus").first.map { _ in t["nr_media_focus_saved"] }
        return try await editor(
            item, session: session, words: MediaWordsView(alt: item.alt, caption: item.caption, credit: item.credit), info: info)
    }

    @Sendable func edit(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await newsroom.signInFirst() }
        let item = try await loadItem(context)
        let writer = ArticleWriter(userID: session.user.id, role: session.user.role)
        guard item.wordsMayBeChanged(by: writer) else { throw HTTPError(.forbidden) }
        let form = context.newsroom.form ?? FormQuery(nil)
        func one(_ name: String) -> String { (form.all(name).first ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let words = MediaWordsView(alt: one("alt"), caption: one("caption"), credit: one("credit"))
        var problem: String?
        if words.alt.isEmpty { problem = t["nr_media_error_alt"] }
        if [words.alt, words.caption, words.credit].contains(where: { $0.count > 1_000 }) { problem = t["nr_error_field_long"] }
        if let problem { return try await editor(item, session: session, words: words, message: problem, status: .unprocessableContent) }
        do {
            try await site.media.update(
                hash: item.address.hash, alt: words.alt, caption: words.caption, credit: words.credit, by: writer, now: site.now())
        } catch ArticleWriteError.notAllowed {
            throw HTTPError(.forbidden)  // the write checks the rule again, against the row as it is then
        }
        return newsroom.redirect(MediaURLs.item(item.address.hash) + "?saved=1")
    }

    /// The point the crops keep in view, clicked on the picture (or typed, in percent); the renditions are made again.
    @Sendable func focus(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await newsroom.signInFirst() }
        let item = try await loadItem(context)
        let writer = ArticleWriter(userID: session.user.id, role: session.user.role)
        guard item.wordsMayBeChanged(by: writer) else { throw HTTPError(.forbidden) }
        let form = context.newsroom.form ?? FormQuery(nil)
        func percent(_ name: String) -> Double? {
            guard let text = form.all(name).first, text.utf8.count <= 12,
                let value = Double(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")),
                value.isFinite, (0...100).contains(value)
            else { return nil }
            return value / 100
        }
        guard let x = percent("focus_x"), let y = percent("focus_y") else {
            return try await editor(
                item, session: session, words: MediaWordsView(alt: item.alt, caption: item.caption, credit: item.credit),
                message: t["nr_media_focus_invalid"], status: .unprocessableContent)
        }
        do {
            try await site.media.setFocus(hash: item.address.hash, to: FocalPoint(x: x, y: y), by: writer, now: site.now())
        } catch ArticleWriteError.notAllowed {
            throw HTTPError(.forbidden)
        }
        return newsroom.redirect(MediaURLs.item(item.address.hash) + "?focus=1")
    }

    // MARK: Pieces

    private func loadItem(_ context: Context) async throws -> MediaItem {
        guard let hash = context.parameters.get("hash"), let item = try await site.media.item(hash: hash) else {
            throw HTTPError(.notFound)
        }
        return item
    }

    /// A page of the library from the request's `q` and `after`.
    private func page(_ request: Request, size: Int) async throws -> ([MediaItem], MediaCursor?, String) {
        let query = FormQuery(request.uri.query)
        let text = String((query.all("q").first ?? "").prefix(200))
        var cursor: MediaCursor?
        if let after = query.all("after").first, !after.isEmpty {
            guard let parsed = MediaCursor(after) else { throw HTTPError(.badRequest) }
            cursor = parsed
        }
        let (items, next) = try await site.media.list(matching: text, after: cursor, limit: size)
        return (items, next, text)
    }

    private func libraryPage(
        _ request: Request, session: NewsroomSession, words: MediaWordsView = MediaWordsView(), message: String? = nil,
        info: String? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (items, next, text) = try await page(request, size: pageSize)
        let after = FormQuery(request.uri.query).all("after").first ?? ""
        let view = MediaLibraryPage(
            layout: newsroom.layout(t["nr_media_title"], session), csrf: session.csrf, query: text, items: items.map(card),
            empty: items.isEmpty, nextURL: next.map { SiteURLs.withQuery(MediaURLs.library, [("q", text), ("after", $0.text)]) },
            firstURL: after.isEmpty ? nil : SiteURLs.withQuery(MediaURLs.library, [("q", text)]), words: words, message: message,
            info: info, maxSize: maxSize, maxBytes: site.mediaSettings.maxBytes, renditionsOff: renditionsOff)
        return try newsroom.render("nr-media", view, status: status)
    }

    private func editor(
        _ item: MediaItem, session: NewsroomSession, words: MediaWordsView, message: String? = nil, info: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let mayEdit = item.wordsMayBeChanged(by: ArticleWriter(userID: session.user.id, role: session.user.role))
        let view = MediaEditPage(
            layout: newsroom.layout(t["nr_media_edit_title"], session), csrf: session.csrf, item: card(item),
            action: MediaURLs.item(item.address.hash), words: words, mayEdit: mayEdit,
            readOnly: mayEdit ? nil : t["nr_media_edit_forbidden"], message: message, info: info,
            address: SiteURLs.absolute(item.address.path, on: site.publicURL), renditions: try await renditionsView(item),
            focus: try await focusView(item, mayEdit: mayEdit))
        return try newsroom.render("nr-media-edit", view, status: status)
    }

    /// The focal point's form and the crops' previews (once made); nothing for a GIF, which has no crops.
    private func focusView(_ item: MediaItem, mayEdit: Bool) async throws -> MediaFocusView? {
        if item.address.format == .gif { return nil }
        let crops = try await site.renditions.renditions(of: item.address.hash).shareCrops.map { r in
            MediaCropView(
                label: "\(r.crop!.rawValue.replacingOccurrences(of: "x", with: "×")) · \(r.width)×\(r.height)", src: r.address.path,
                width: r.width, height: r.height)
        }
        func percent(_ value: Double) -> String { String(format: "%.1f", value * 100) }
        return MediaFocusView(
            action: MediaURLs.focus(item.address.hash), src: item.address.path, x: percent(item.focus.x), y: percent(item.focus.y),
            mayEdit: mayEdit, crops: crops)
    }

    /// Where the picture's renditions stand: off (no libvips), waiting, made (and which), skipped or failed.
    private func renditionsView(_ item: MediaItem) async throws -> MediaRenditionsView {
        if case .missing(let why) = site.renditions.availability {
            return MediaRenditionsView(status: t.format("nr_media_renditions_off", ["reason": why]), problem: true, files: [])
        }
        let job = try await site.renditions.job(item.address.hash)
        switch job?.state {
        case .done?:
            let files = try await site.renditions.renditions(of: item.address.hash).map { r in
                let shape = r.crop.map { " \($0.rawValue.replacingOccurrences(of: "x", with: "×"))" } ?? ""
                return MediaRenditionFileView(
                    label: "\(r.format.rawValue.uppercased())\(shape) \(r.width)×\(r.height) · \(Self.byteSize(r.bytes))",
                    url: r.address.path)
            }
            return MediaRenditionsView(
                status: t.format("nr_media_renditions_done", ["count": String(files.count)]), problem: false, files: files)
        case .skipped?:
            let key = job?.error == RenditionJob.skippedGIF ? "nr_media_renditions_gif" : "nr_media_renditions_animated"
            return MediaRenditionsView(status: t[key], problem: false, files: [])
        case .failed?:
            let key = job?.fileIsDamaged == true ? "nr_media_renditions_damaged" : "nr_media_renditions_failed"
            return MediaRenditionsView(status: t[key], problem: true, detail: job?.error, files: [])
        case .pending?, .working?, nil:
            return MediaRenditionsView(status: t["nr_media_renditions_pending"], problem: false, files: [])
        }
    }

    private func card(_ item: MediaItem) -> MediaCardView {
        MediaCardView(
            editURL: MediaURLs.item(item.address.hash), src: item.address.path, alt: item.alt,
            caption: item.caption.isEmpty ? nil : item.caption, credit: item.credit.isEmpty ? nil : item.credit,
            fileName: item.originalName.isEmpty ? nil : item.originalName,
            size: "\(item.width)×\(item.height) · \(Self.byteSize(item.bytes))", uploaded: site.views.dates.dateLine(item.uploadedAt),
            uploader: item.uploadedBy, hash: item.address.hash,
            locationRemoved: item.removedMetadata.contains(.location) ? t["nr_media_location_removed"] : nil,
            metadataRemoved: item.removedMetadata.subtracting([.location]).isEmpty ? nil : t["nr_media_metadata_removed"])
    }

    /// The library page's notice when libvips is missing.
    private var renditionsOff: String? {
        guard case .missing(let why) = site.renditions.availability else { return nil }
        return t.format("nr_media_renditions_off", ["reason": why])
    }

    private var maxSize: String { Self.byteSize(site.mediaSettings.maxBytes) }

    /// `840 KB`, `10 MB`.
    static func byteSize(_ bytes: Int) -> String {
        if bytes >= 1024 * 1024 {
            let mb = Double(bytes) / 1_048_576
            return mb == mb.rounded() ? "\(Int(mb)) MB" : String(format: "%.1f MB", mb)
        }
        return "\(max(1, (bytes + 1023) / 1024)) KB"
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONEncoder().encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
