import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// The admin API's upload (`POST /api/admin/v1/media`): the picture's bytes as the body (its `Content-Type` an image
/// type, as WordPress's REST API takes them), `alt`, `caption` and `credit` in the query, the file's name in
/// `Content-Disposition`. It goes through `MediaIntake`, the newsroom's own upload path: size limit (413), pictures
/// only (415), the metadata scrub, the same picture kept once, renditions queued.
struct AdminMediaController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site

    func addRoutes(to group: RouterGroup<Context>) {
        group.post("media") { request, context in
            guard let caller = context.apiCaller else { throw APIProblem(.unauthorized, "no token") }
            try caller.require(.write)
            guard let type = request.headers[.contentType]?.lowercased(), type.hasPrefix("image/") else {
                throw APIProblem(.unsupportedMediaType, "send the picture's bytes with its image/… Content-Type")
            }
            let limit = site.mediaSettings.maxBytes
            if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit { throw tooLarge(limit) }
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: limit) } catch { throw tooLarge(limit) }
            let parameters = try APIParameters(request.uri, known: ["alt", "caption", "credit"])
            func words(_ name: String) throws -> String { (try parameters.one(name) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
            let intake = MediaIntake(
                repository: site.media, files: site.mediaFiles, renditions: site.renditions, maxBytes: limit)
            let outcome = try await intake.add(
                Array(body.readableBytesView),
                words: MediaIntake.Words(alt: try words("alt"), caption: try words("caption"), credit: try words("credit")),
                fileName: Self.fileName(request.headers[.contentDisposition]), uploadedBy: caller.user.id, now: site.now())
            switch outcome {
            case .failure(.tooLarge): throw tooLarge(limit)
            case .failure(.notAnImage): throw APIProblem(.unsupportedMediaType, MediaIntake.Refusal.notAnImage.description)
            case .failure(let refusal): throw APIProblem(.unprocessableContent, refusal.description)
            case .success(let accepted):
                let item = accepted.item
                return Response.json(
                    .object([
                        "id": .string(item.address.hash), "featured_media": .string(item.address.path),
                        "url": .string(site.publicURL + item.address.path), "format": .string(item.address.format.mediaType),
                        "width": .int(item.width), "height": .int(item.height), "bytes": .int(item.bytes), "alt": .string(item.alt),
                        "caption": .string(item.caption), "credit": .string(item.credit), "created": .bool(accepted.created),
                    ]), status: accepted.created ? .created : .ok)
            }
        }
    }

    private func tooLarge(_ limit: Int) -> APIProblem {
        APIProblem(.contentTooLarge, "a picture may have at most \(MediaController.byteSize(limit))")
    }

    /// `attachment; filename="photo.jpg"`: the name only (kept as the upload's original name), else `upload`.
    static func fileName(_ header: String?) -> String {
        guard let header, let range = header.range(of: "filename=") else { return "upload" }
        let name = header[range.upperBound...].prefix { $0 != ";" }.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        return name.isEmpty ? "upload" : String(name.suffix(200))
    }
}
