import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport

@testable import VestnikWeb

@Suite("Embedded posts: click-to-load facades, look-ups in the background, local thumbnails")
struct EmbedPreviewTests {
    static let youtube = Embed(provider: .youtube, id: "dQw4w9WgXcQ")!
    static let post = Embed(provider: .x, id: "1790000000000000001")!
    static let thumbnail = TestPictures.bytes("deep.png")

    /// A provider on this machine: oEmbed answers (a hostile title, to see it escaped) for the video, a 500 for the
    /// post, and the thumbnail the answer names.
    static func provider() -> some ApplicationProtocol {
        let router = Router()
        router.get("/oembed/video") { request, _ -> Response in
            let json =
                "{\"title\":\"Концерт <script>alert(1)</script>\",\"author_name\":\"БНТ\","
                + "\"thumbnail_url\":\"http://\(request.head.authority ?? "")/thumb.png\",\"html\":\"<iframe></iframe>\"}"
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
        }
        router.get("/oembed/post") { _, _ in Response(status: .internalServerError) }
        router.get("/thumb.png") { _, _ in
            Response(status: .ok, headers: [.contentType: "image/png"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: thumbnail)))
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    /// How many posts' look-ups were asked for.
    static func asked(_ site: Site) async throws -> Int {
        try await site.database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM embed_previews").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    @Test(arguments: TestDatabase.all)
    func facadesGetTheirTitleAndALocalThumbnailWithoutTheReaderAskingTheProvider(_ kind: TestDatabase) async throws {
        var input = article("Концерт с вграждания")
        input.bodyHTML += "\n" + Self.youtube.marker + "\n<p>Между тях.</p>\n" + Self.post.marker
        // The node's own worker stays off: this test runs one against a provider on this machine.
        var server = ServerSettings()
        server.embedLookups = false
        try await withSite(kind, articles: [input], server: server) { [input] client, site in
            let url = "/svyat/\(input.slug)"
            let first = try await client.get(url)
            #expect(first.status == .ok)
            // A plain link to each post, the provider's name, no frame and nothing from another host.
            #expect(
                first.body.contains(
                    "<a class=\"embed-facade\" href=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\" rel=\"noopener\"><span class=\"embed-provider\">YouTube</span><span class=\"embed-title\">Видео в YouTube</span>"
                ))
            #expect(first.body.contains("<a class=\"embed-facade\" href=\"https://x.com/i/status/1790000000000000001\" rel=\"noopener\">"))
            #expect(first.body.contains("data-frame=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1\""))
            #expect(!first.body.contains("<iframe") && !first.body.contains("embed-thumb"))
            for attribute in ["src=\"http", "src=\"//", "href=\"//"] {
                #expect(!first.body.contains(attribute), "\(attribute)")
            }
            #expect(first.body.contains("<script src=\"/static/embeds."))
            // The policy frames the providers' players and nothing else; scripts stay our own.
            let policy = first.headers[.contentSecurityPolicy] ?? ""
            #expect(policy.contains("script-src 'self';") && policy.contains("connect-src 'self';"))
            for host in Embed.frameHosts { #expect(policy.contains(host), "\(host)") }

            // The page asked for the look-ups, off the request.
            for _ in 0..<500 where try await Self.asked(site) < 2 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(try await Self.asked(site) == 2)
            #expect(try await site.embedPreviews.hasWork(now: testNow))
            try await Self.provider().test(.live) { (provider: any TestClientProtocol) async throws in
                let port = provider.port ?? 0
                let worker = EmbedPreviewWorker(
                    previews: site.embedPreviews,
                    lookup: EmbedLookup(
                        files: site.mediaFiles, policy: Outbound.Policy(allowPrivate: true, connectTimeout: 5, timeout: 10),
                        endpoint: { "http://127.0.0.1:\(port)/oembed/\($0.provider == .youtube ? "video" : "post")" }),
                    database: site.database, now: { testNow }, logger: Logger(label: "test"))
                #expect(try await worker.lookUpOne())
                #expect(try await worker.lookUpOne())
                // The failed one waits a minute before its next try.
                #expect(try await !worker.lookUpOne())
            }

            // The cached page was dropped: the video's facade has its title (escaped), author and thumbnail.
            let second = try await client.get(url)
            #expect(second.body.contains("<span class=\"embed-title\">Концерт &lt;script&gt;alert(1)&lt;/script&gt;</span>"))
            #expect(second.body.contains("<span class=\"embed-author\">БНТ</span>"))
            #expect(second.body.contains("<span class=\"embed-title\">Публикация в X</span>"))
            let start = try #require(second.body.range(of: "<img class=\"embed-thumb\" src=\""))
            let path = String(second.body[start.upperBound...].prefix { $0 != "\"" })
            #expect(path == MediaAddress(bytes: Self.thumbnail, format: .png).path)
            let picture = try await client.get(path)
            #expect(picture.status == .ok && picture.headers[.contentType] == "image/png")
            #expect(try await client.get(MediaAddress(bytes: [1, 2, 3], format: .png).path).status == .notFound)

            // The post is given up after its last try: its pages are named for the caches, and it is no longer pending.
            let (_, pending) = try await site.embedPreviews.previews(of: [Self.youtube, Self.post])
            #expect(pending == [Self.post])
            let articleID = try #require(try await site.articles.article(slug: input.slug)?.id)
            try await site.embedPreviews.request([Self.post], articleID: articleID, now: testNow)
            #expect(
                try await site.embedPreviews.failed(Self.post, tries: EmbedPreviewRepository.maxTries - 1, problem: "500", now: testNow)
                    == [articleID])
            #expect(try await site.embedPreviews.previews(of: [Self.post]).pending.isEmpty)
        }
    }

    @Test("feeds carry a plain link for each embedded post", arguments: TestDatabase.all)
    func feedsCarryPlainLinks(_ kind: TestDatabase) async throws {
        var input = article("Статия с видео")
        input.bodyHTML += "\n" + Self.youtube.marker
        try await withSite(kind, articles: [input], settings: [SettingKeys.feedContent: "full"]) { client, _ in
            let feed = try await client.get("/rss.xml")
            #expect(feed.status == .ok)
            // The feed's HTML is escaped into the XML: the link, its title and the provider's name, no frame.
            #expect(feed.body.contains("https://www.youtube.com/watch?v=dQw4w9WgXcQ"))
            #expect(feed.body.contains("Видео в YouTube") && feed.body.contains(" (YouTube)"))
            #expect(!feed.body.contains("iframe"))
        }
    }
}
