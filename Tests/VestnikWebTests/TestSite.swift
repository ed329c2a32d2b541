import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// 25 November 2026, 12:00 in Sofia (10:00 UTC): the moment every web test stands on.
let testNow = Date(timeIntervalSince1970: 1_795_600_800)

/// A published article `hoursAgo` before `testNow`, with everything an article page shows.
func article(
    _ title: String, kicker: String = "", section: String = "Свят", topic: String? = nil, tags: [String] = [],
    hoursAgo: Double = 1, status: ArticleStatus = .published, media: MediaMarkers = MediaMarkers(),
    authors: [ArticleInput.Byline] = [.init(name: "Мария Петрова", role: "Отговорен редактор")], reads: Int = 0,
    paragraphs: Int = 5
) -> ArticleInput {
    let body = (1...paragraphs).map { "<p>Абзац \($0) от „\(HTML.escape(title))“.</p>" }.joined(separator: "\n")
    return ArticleInput(
        slug: Slug.make(title), kicker: kicker, title: title, lead: "Резюме: \(title)", bodyHTML: body, section: section,
        topic: topic, tags: tags, authors: authors, sources: ["БТА"], media: media, status: status,
        publishedAt: testNow.addingTimeInterval(-hoursAgo * 3600), reads: reads)
}

/// Runs `body` against the real router over a fresh database holding `articles`.
func withSite(
    _ kind: TestDatabase, articles: [ArticleInput], settings: [String: String] = [:], limits: ReachLimits = ReachLimits(),
    mediaMaxBytes: Int = MediaSettings.defaultMaxBytes, vips: Vips.Availability = Vips.availability,
    server: ServerSettings = ServerSettings(), secrets: TOTPSecretBox = TOTPSecretBox(key: nil),
    _ body: @escaping @Sendable (any TestClientProtocol, Site) async throws -> Void
) async throws {
    try await withTestSite(
        kind, articles: articles, settings: settings, limits: limits, mediaMaxBytes: mediaMaxBytes, vips: vips, secrets: secrets
    ) { site in
        let app = buildApplication(site: site, settings: server, logger: Logger(label: "test"))
        try await app.test(.router) { client in try await body(client, site) }
    }
}

/// The site `withSite` serves, over a fresh database holding `articles`, for tests that build their applications
/// themselves (a live server, several over one database).
func withTestSite(
    _ kind: TestDatabase, articles: [ArticleInput], settings: [String: String] = [:], limits: ReachLimits = ReachLimits(),
    mediaMaxBytes: Int = MediaSettings.defaultMaxBytes, vips: Vips.Availability = Vips.availability,
    secrets: TOTPSecretBox = TOTPSecretBox(key: nil), _ body: @escaping @Sendable (Site) async throws -> Void
) async throws {
    // Each test's media library has a folder of its own.
    let mediaFolder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-media-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: mediaFolder) }
    try await kind.with { database in
        let repository = ArticleRepository(database: database)
        for input in articles { try await repository.save(input, now: testNow, refreshRelated: false) }
        try await RelatedArticles(database: database).refreshAll(now: testNow)
        for (key, value) in settings { try await SettingsRepository(database: database).set(key, to: value) }
        var site = try await Site.make(
            database: database, theme: try await Theme.load(), now: { testNow }, passwordHasher: PasswordHasher(cost: 4),
            media: MediaSettings(folder: mediaFolder, maxBytes: mediaMaxBytes), secrets: secrets)
        site.limits = limits
        site.renditions.availability = vips
        try await body(site)
    }
}

extension TestClientProtocol {
    /// GET `uri`, returning the status, the body as text and the headers.
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> (status: HTTPResponse.Status, body: String, headers: HTTPFields) {
        try await execute(uri: uri, method: .get, headers: headers) { response in
            (response.status, String(buffer: response.body), response.headers)
        }
    }
}
