import Foundation
import Hummingbird
import VestnikCore

extension Response {
    /// A generated document with validators: an `ETag` of its bytes and, when known, a `Last-Modified`; the answer
    /// is an empty 304 when the request shows the client already has these bytes (`If-None-Match`, or, without it,
    /// `If-Modified-Since`, as RFC 9110 §13.2.2 orders them). Feed readers poll every few minutes; most polls
    /// end here.
    static func conditional(
        _ text: String, contentType: String, lastModified: Date?, request: Request, dates: NewsDateFormatter
    ) -> Response {
        let bytes = ByteBuffer(string: text)
        let etag = "\"\(StaticAssets.fingerprint(Data(text.utf8)))\""
        var headers: HTTPFields = [.contentType: contentType, .eTag: etag, .cacheControl: "public, max-age=60"]
        if let lastModified { headers[.lastModified] = dates.httpDate(lastModified) }
        if clientHasIt(request, etag: etag, lastModified: lastModified) {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers, body: ResponseBody())
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
    }

    /// Whether the request's validators show the client has the bytes with `etag` (and `lastModified`).
    static func clientHasIt(_ request: Request, etag: String, lastModified: Date?) -> Bool {
        clientHasIt(request.headers, etag: etag, lastModified: lastModified)
    }

    /// `clientHasIt` from the request's headers.
    static func clientHasIt(_ headers: HTTPFields, etag: String, lastModified: Date?) -> Bool {
        let matches = headers[values: .ifNoneMatch]
        if !matches.isEmpty {
            // Weak comparison: a `W/` prefix (added by a proxy that compressed the body) still matches.
            let tags = matches.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
            return tags.contains { $0 == "*" || $0 == etag || $0 == "W/" + etag }
        }
        guard let lastModified, let since = headers[.ifModifiedSince].flatMap(NewsDateFormatter.date(fromHTTPDate:))
        else { return false }
        return lastModified.timeIntervalSince1970.rounded(.down) <= since.timeIntervalSince1970
    }
}
