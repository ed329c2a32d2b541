import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// For load balancers, systemd and Kubernetes: `/healthz` says the process answers (it asks nothing else, so a slow
/// database never gets a node restarted); `/readyz` says whether this node can serve everything: the database
/// answers, every migration this binary knows is applied, and the media folder takes files. Neither is cached.
struct HealthController: Sendable {
    typealias Context = VestnikRequestContext
    let database: Database
    let mediaFolder: URL
    /// Whether libvips is here: `/readyz` says so (its absence does not make the node unready: pages serve the
    /// pictures as uploaded).
    var pictures: Vips.Availability = Vips.availability
    /// Set at SIGTERM: the node is going away, so it is not ready whatever else holds.
    var drain: Drain?

    func addRoutes(to router: Router<Context>) {
        router.get("/healthz") { _, _ in Self.answer(.ok, ["status": "alive"]) }
        router.get("/readyz", use: ready)
    }

    @Sendable func ready(_ request: Request, context: Context) async throws -> Response {
        var problems: [String] = []
        if drain?.isDraining == true { problems.append("stopping (SIGTERM)") }
        do {
            let applied = try await Migrator().appliedVersions(database)
            let missing = Set(Migrations.all.map(\.version)).subtracting(applied)
            if !missing.isEmpty { problems.append("migrations not applied: \(missing.sorted().map(String.init).joined(separator: ", "))") }
        } catch {
            problems.append("the database does not answer")
        }
        if !Self.writable(mediaFolder) { problems.append("the media folder is not writable") }
        // Search tells how it analyses and whether its index is whole; a rebuild does not make the node unready.
        var search = ["search": BulgarianDictionary.system.summary, "qr_codes": QRCode.summary]
        switch pictures {
        case .ready(let version, let avif): search["picture_renditions"] = "on: libvips \(version)\(avif ? ", AVIF" : "")"
        case .missing(let why):
            search["picture_renditions"] = "off, pages serve the pictures as uploaded: libvips is not available (\(why))"
        }
        if let progress = try? await SearchRebuild(database: database).progress(), !progress.finished {
            search["search_index"] = "rebuilding: \(progress.done) of \(progress.total) articles"
        }
        if problems.isEmpty { return Self.answer(.ok, search.merging(["status": "ready"]) { $1 }) }
        return Self.answer(
            .serviceUnavailable, search.merging(["status": "not ready", "problems": problems.joined(separator: "; ")]) { $1 })
    }

    /// Creates and removes a small file: the only sure test that uploads will work.
    static func writable(_ folder: URL) -> Bool {
        let probe = folder.appendingPathComponent(".readyz-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data().write(to: probe)
            try FileManager.default.removeItem(at: probe)
            return true
        } catch {
            return false
        }
    }

    static func answer(_ status: HTTPResponse.Status, _ fields: [String: String]) -> Response {
        let body = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
