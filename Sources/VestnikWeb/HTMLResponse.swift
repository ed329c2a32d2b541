import Hummingbird

extension Response {
    /// An HTML page in UTF-8.
    static func html(_ html: String, status: HTTPResponse.Status = .ok) -> Response {
        self.html(ByteBuffer(string: html), status: status)
    }

    /// An HTML page already in UTF-8 bytes.
    static func html(_ html: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: ResponseBody(byteBuffer: html))
    }

    static func redirect(permanentlyTo location: String) -> Response {
        Response(status: .movedPermanently, headers: [.location: location])
    }
}
