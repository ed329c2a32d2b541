import Foundation
import Hummingbird
import VestnikCore

/// The API's OpenAPI 3.1 document (`Assets/api/openapi.json`, the source of truth the routes follow and
/// schemathesis checks them against), served as it is at `/api/openapi.json`, and a plain page listing its
/// operations at `/api/docs`.
struct APIDocument: Sendable {
    struct Operation: Sendable, Equatable {
        var method: String
        var path: String
        var summary: String
        var tag: String
    }

    let bytes: [UInt8]
    let operations: [Operation]

    /// The document shipped in the binary's resources.
    static func builtIn() throws -> APIDocument {
        let assets = Theme.builtInFolder.deletingLastPathComponent().deletingLastPathComponent()
        return try APIDocument(Data(contentsOf: assets.appendingPathComponent("api/openapi.json")))
    }

    init(_ data: Data) throws {
        bytes = Array(data)
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            let paths = root["paths"] as? [String: Any]
        else { throw ThemeError("api/openapi.json has no paths") }
        var operations: [Operation] = []
        func add(_ method: String, _ path: String, _ value: Any?) {
            guard let operation = value as? [String: Any] else { return }
            operations.append(
                Operation(
                    method: method.uppercased(), path: path, summary: operation["summary"] as? String ?? "",
                    tag: (operation["tags"] as? [String])?.first ?? ""))
        }
        for (path, item) in paths {
            for (method, value) in (item as? [String: Any]) ?? [:] { add(method, path, value) }
        }
        // What this site sends (OpenAPI 3.1 `webhooks`), listed by event.
        for (event, item) in (root["webhooks"] as? [String: Any]) ?? [:] {
            add("POST", "webhook: \(event)", (item as? [String: Any])?["post"])
        }
        self.operations = operations.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }
}

struct APIDocumentController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let document: APIDocument

    func addRoutes(to router: Router<Context>) {
        router.get("/api/openapi.json") { request, _ in
            var response = Response.conditional(
                String(decoding: document.bytes, as: UTF8.self), contentType: "application/json; charset=utf-8", lastModified: nil,
                request: request, dates: site.views.dates)
            // Tools read the document from other origins (editors, generators in the browser).
            response.headers[.accessControlAllowOrigin] = "*"
            return response
        }
        router.get("/api/docs") { request, _ in
            let view = APIDocsView(
                layout: site.views.layout(
                    title: site.locale["api_docs_title"], canonical: nil, sections: try await site.lists.sections(now: site.now()),
                    banner: try await site.lists.banner(now: site.now()),
                    now: site.now()),
                documentURL: "/api/openapi.json",
                operations: document.operations.map {
                    APIOperationView(method: $0.method, path: $0.path, summary: $0.summary, tag: $0.tag)
                })
            return Response.conditional(
                String(buffer: try site.theme.render("api-docs", view)), contentType: "text/html; charset=utf-8", lastModified: nil,
                request: request,
                dates: site.views.dates)
        }
    }
}
