import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// The public news site: home, article, section, topic, tag and author pages.
struct PublicController<Context: RequestContext>: Sendable {
    let site: Site
    /// "Най-четени", shared by every page that shows it.
    let mostRead: MostReadLists
    /// Articles per list page.
    let pageSize = 20
    /// How the "Още:" blocks sit in the body (the `site.more_after` setting).
    var moreBlocks: InlineMoreBlocks { site.moreBlocks }

    func addRoutes(to router: Router<Context>) {
        router.get("/", use: home)
        router.get("/static/{file}", use: asset)
        router.get("/tema/{slug}", use: topic)
        router.get("/tag/{slug}", use: tag)
        router.get("/avtor/{slug}", use: author)
        router.get("/na-zhivo/{id}", use: liveEntries)  // SiteURLs.liveEntries
        router.get("/{section}", use: section)
        router.get("/{section}/{slug}", use: article)
    }

    // MARK: Pages

    @Sendable func home(_ request: Request, context: Context) async throws -> Response {
        let now = site.now()
        _ = try pageNumber(request)  // the home page has one page; a hostile value is still a 400
        var keys = PageKeys()
        let page = try await homePage(layout: try await fronts.live(.home), now: now, keys: &keys)
        return .page(page, keys: keys)
    }

    @Sendable func article(_ request: Request, context: Context) async throws -> Response {
        let now = site.now()
        let sectionSlug = try context.parameters.slug("section")
        let slug = try context.parameters.slug("slug")
        guard
            let (article, related, foot) = try await site.articles.article(
                slug: slug, relatedLimit: moreBlocks.capacity, liveEntries: Self.liveEntriesShown, now: now),
            isVisible(article, now: now)
        else {
            if let current = try await site.articles.currentSlug(forOldSlug: slug),
                let moved = try await site.articles.article(slug: current), isVisible(moved, now: now)
            {
                return .redirect(permanentlyTo: SiteURLs.article(moved))
            }
            throw HTTPError(.notFound)
        }
        if article.section.slug != sectionSlug { return .redirect(permanentlyTo: SiteURLs.article(article)) }

        var keys = PageKeys()
        // The page cache keeps the page without "Новините днес" and splices the block in when it sends the page
        // (`SharedFragment`): it keeps the page under `keys`; what is sent out names the block's keys too.
        var shown = PageKeys()
        // The page cache splices the block in whether it keeps pages or not (`SharedFragment.willSplice`): what the
        // page renders between the marks is cut out, so it renders the block empty.
        let spliced = SharedFragment.willSplice && site.theme.splicesToday
        let html = try await page(
            for: article, related: related, foot: foot, now: now, showsToday: !spliced, splicedToday: &shown, keys: &keys)
        shown.formUnion(keys)
        var response = Response.page(html, keys: shown)
        response.headers[.vestnikSplice] = SplicePoint.header(fragment: "today", excluded: article.id, ownKeys: keys.headerValue)
        return response
    }

    /// The article page's HTML; the newsroom's preview renders unsaved articles with it too, without the read beacon.
    /// `keys` gathers what the page shows; `related`: its "Още:" articles, when read with it.
    func page(
        for article: Article, related given: [ArticleSummary]? = nil, now: Date, countsReads: Bool = true, keys: inout PageKeys
    ) async throws -> ByteBuffer {
        var today = PageKeys()
        let html = try await page(
            for: article, related: given, foot: nil, now: now, countsReads: countsReads, splicedToday: &today, keys: &keys)
        keys.formUnion(today)
        return html
    }

    /// The same, with the keys of "Новините днес" in `splicedToday` instead of `keys` (the page cache splices the
    /// block in: `SharedFragment`); `foot`: the page's notes and live coverage, when read with the article;
    /// `showsToday` false: the block's list is left empty (its keys are still gathered), for the cache to splice in.
    private func page(
        for article: Article, related given: [ArticleSummary]?, foot: ArticleRepository.PageFoot?, now: Date, countsReads: Bool = true,
        showsToday: Bool = true, splicedToday: inout PageKeys, keys: inout PageKeys
    ) async throws -> ByteBuffer {
        let sections = try await site.lists.sections(now: now)
        let related: [ArticleSummary]
        if let given {
            related = given
        } else {
            related = try await site.articles.related(to: article, limit: moreBlocks.capacity, now: now)
        }
        let today = try await today(now: now).filter { $0.id != article.id }
        keys.insert(CacheKey.article(article.id))
        keys.insert(CacheKey.articlePage(article.id))
        keys.insert(CacheKey.articlePages)  // the "follow us" line and the "Още:" places are settings
        splicedToday.insert(CacheKey.latest)  // "Новините днес"
        splicedToday.insert(today)
        keys.insert(related)
        // The featured picture's renditions and those of the library pictures in the body, in one query.
        var bodyHashes = BodyPictures.hashes(in: article.bodyUTF8)
        // Outside pictures the library holds copies of (`media.copy_external`) are shown as those copies.
        let copies = try await site.outsidePictureCopies(article.bodyUTF8)
        bodyHashes += copies.values.map(\.hash)
        // And the share card's own picture's, when it has one.
        let made = try await site.renditions.renditions(
            of: bodyHashes + (article.featuredImage.map { [$0.address.hash] } ?? [])
                + (article.seo.socialImage.map { [$0.address.hash] } ?? []))
        let renditions = article.featuredImage.flatMap { made[$0.address.hash] } ?? []
        // An article's notes change only its own page (`p<id>`, carried above).
        let (corrections, live) =
            if let foot { foot } else { try await site.articles.pageFoot(articleID: article.id, liveEntries: Self.liveEntriesShown) }
        // The galleries' pictures (their words and renditions); a new caption announces `a<id>` of the article.
        let galleries = try await site.galleryHTML(body: article.bodyUTF8)
        // The embedded posts' facades: what the background look-up found; what it has not yet is asked for (off this
        // request: a page never waits for it), and the page is dropped from the caches when it ends.
        let embedded = EmbedHTML.embeds(inUTF8: article.bodyUTF8)
        let (embedPreviews, pending) = try await site.embedPreviews.previews(of: embedded)
        if !pending.isEmpty {
            let previews = site.embedPreviews
            let articleID = article.id > 0 ? article.id : nil
            Task { try? await previews.request(pending, articleID: articleID, now: now) }
        }
        let view = ArticleView(
            article: article, related: related, today: showsToday ? today : [], sections: sections,
            banner: try await site.lists.banner(now: now),
            mostRead: try await mostReadBlock(keys: &keys),
            countsReads: countsReads, site: site, now: now, renditions: renditions,
            bodyPictures: BodyPictures(renditions: made.filter { bodyHashes.contains($0.key) }, copies: copies), galleries: galleries,
            corrections: corrections, live: live, embedPreviews: embedPreviews,
            socialRenditions: article.seo.socialImage.flatMap { made[$0.address.hash] } ?? [])
        return try site.theme.render("article", view)
    }

    /// A running live blog's part of its page, for the page's script (every 2 seconds, `?t=` the slot): cached
    /// under the article's own page key, so a new entry drops it with the page and every other poll is a hit.
    @Sendable func liveEntries(_ request: Request, context: Context) async throws -> Response {
        guard let text = context.parameters.get("id"), text.count <= 12, let id = Int(text),
            let summary = try await site.articles.summary(id: id, now: site.now()), let live = try await liveBlog(id)
        else { throw HTTPError(.notFound) }
        var keys = PageKeys()
        keys.insert(CacheKey.articlePage(summary.id))
        let view = LiveFragmentView(live: site.views.liveBlog(articleID: id, coverage: live.coverage, entries: live.entries))
        return .page(try site.theme.render("live_fragment", view), keys: keys)
    }

    /// The article's live coverage and its newest entries, if it is a live blog.
    private func liveBlog(_ articleID: Int) async throws -> (coverage: LiveCoverage, entries: [LiveEntry])? {
        try await LiveCoverageRepository(database: site.database).liveBlog(articleID: articleID, limit: Self.liveEntriesShown)
    }

    /// Entries a live blog's page shows (the newest).
    static var liveEntriesShown: Int { 300 }

    @Sendable func section(_ request: Request, context: Context) async throws -> Response {
        let slug = try context.parameters.slug("section")
        guard let section = try await site.taxonomy.section(slug: slug) else {
            return try await moved(.section, slug, request, to: SiteURLs.section)
        }
        return try await list(
            request, subject: .section(section), kind: "section", description: section.description,
            currentSection: section.slug, front: .live)
    }

    @Sendable func topic(_ request: Request, context: Context) async throws -> Response {
        let slug = try context.parameters.slug("slug")
        guard let topic = try await site.taxonomy.topic(slug: slug) else {
            return try await moved(.topic, slug, request, to: SiteURLs.topic)
        }
        var pinned: ArticleSummary?
        if let id = topic.pinnedArticleID { pinned = try await site.articles.summary(id: id, now: site.now()) }
        return try await list(
            request, subject: .topic(topic), kind: "topic", subtitle: site.locale["topic_label"],
            description: topic.description, timeline: true, pinned: pinned)
    }

    @Sendable func tag(_ request: Request, context: Context) async throws -> Response {
        let slug = try context.parameters.slug("slug")
        guard let tag = try await site.taxonomy.tag(slug: slug) else { return try await moved(.tag, slug, request, to: SiteURLs.tag) }
        return try await list(request, subject: .tag(tag), kind: "tag", subtitle: site.locale["tag_label"])
    }

    @Sendable func author(_ request: Request, context: Context) async throws -> Response {
        let slug = try context.parameters.slug("slug")
        guard let author = try await site.taxonomy.author(slug: slug) else {
            return try await moved(.author, slug, request, to: SiteURLs.author)
        }
        return try await list(
            request, subject: .author(author), kind: "author", subtitle: author.role.isEmpty ? nil : author.role,
            description: author.bio, photo: author.photo.isEmpty ? nil : author.photo)
    }

    @Sendable func asset(_ request: Request, context: Context) async throws -> Response {
        let name = try context.parameters.require("file")
        guard let asset = site.theme.assets[name] else { throw HTTPError(.notFound) }
        let versioned = request.uri.queryParameters.get("v") == asset.fingerprint
        return Response(
            status: .ok,
            headers: [
                .contentType: asset.contentType, .eTag: "\"\(asset.fingerprint)\"",
                .cacheControl: versioned ? "public, max-age=31536000, immutable" : "public, max-age=300",
            ],
            body: ResponseBody(byteBuffer: asset.bytes))
    }

    // MARK: Shared steps

    /// A slug the newsroom renamed away answers 301 to the page's new address (the page number kept); else 404.
    private func moved(_ kind: TaxonomyKind, _ slug: String, _ request: Request, to path: (String) -> String) async throws -> Response {
        guard let current = try await site.taxonomy.movedSlug(kind, from: slug) else { throw HTTPError(.notFound) }
        let page = request.uri.queryParameters.get("page")
        return .redirect(permanentlyTo: page.map { SiteURLs.withQuery(path(current), [("page", $0)]) } ?? path(current))
    }

    /// Which arrangement a section's first page shows: none (other lists), the live one, or a draft in preview.
    enum FrontChoice {
        case off
        case live
        case preview(FrontLayout)
    }

    /// The layout a list page is arranged by: nil for no zones at all, `.some(nil)` for the theme's rules alone.
    private func frontLayout(_ choice: FrontChoice, section: Int) async throws -> FrontLayout?? {
        switch choice {
        case .off: return nil
        case .live: return .some(try await fronts.live(.section(section)))
        case .preview(let draft): return .some(draft)
        }
    }

    func list(
        _ request: Request, subject: ListSubject, kind: String, subtitle: String? = nil, description: String? = nil,
        currentSection: String? = nil, timeline: Bool = false, pinned: ArticleSummary? = nil, photo: String? = nil,
        front: FrontChoice = .off
    ) async throws -> Response {
        let now = site.now()
        let number = try pageNumber(request)
        let pageRequest = PageRequest(number: number, size: pageSize)
        var page = try await site.articles.list(subject.filter, page: pageRequest, now: now)
        if number > page.pageCount || (page.total == 0 && !subject.isPublicWhenEmpty) { throw HTTPError(.notFound) }
        let sections = try await site.lists.sections(now: now)
        var keys = PageKeys()
        var zones: [FilledZone] = []
        if number == 1, case .section(let section) = subject, let layout = try await frontLayout(front, section: section.id) {
            zones = try await frontZones(.section(section.id), layout: layout, now: now, keys: &keys)
            let shown = Set(zones.flatMap { $0.articles.map(\.id) })
            page.items.removeAll { shown.contains($0.id) }
        }
        keys.insert(subject)
        keys.insert(page.items)
        if number == 1, let pinned { keys.insert([pinned]) }
        let view = ListView(
            subject: subject, page: page, request: pageRequest, kind: kind, subtitle: subtitle, description: description,
            currentSection: currentSection, timeline: timeline, pinned: pinned, photo: photo, sections: sections,
            banner: try await site.lists.banner(now: now), site: site,
            pictures: try await site.cardPictures(timeline ? [] : page.items + (pinned.map { [$0] } ?? []) + zones.flatMap(\.articles)),
            now: now, zones: zones)
        return .page(try site.theme.render("list", view), keys: keys)
    }

    /// "Новините днес": what was published since midnight in Sofia, newest first.
    func today(now: Date) async throws -> [ArticleSummary] {
        try await site.lists.today(now: now)
    }

    /// "Новините днес" as the block article pages splice in (`SharedFragment`): in the variants each page shows (an
    /// article's own page leaves it out of the list), dropped when anything it lists changes, or `latest`.
    static func todayFragments(site: Site) -> FragmentRenderer {
        FragmentRenderer { name, now in
            guard name == "today" else { return nil }
            let listed = try await site.lists.today(now: now)
            let views = site.views
            let cards = listed.map(views.card)
            let layout = TodayBlockLayout(t: views.strings)
            var keys = PageKeys()
            keys.insert(CacheKey.latest)
            keys.insert(listed)
            return try SharedFragment(name: "today", keys: keys.keys, listed: listed.map(\.id), renderedAt: now) { excluded in
                try site.theme.render(
                    "today", TodayBlockView(layout: layout, today: zip(listed, cards).filter { $0.0.id != excluded }.map(\.1)))
            }
        }
    }

    /// "Най-четени" for the last 24 hours and 7 days, at most `ReadSettings.mostReadMaxAge` old.
    func mostReadBlock(keys: inout PageKeys) async throws -> MostReadView? {
        let day = try await mostRead.articles(.day)
        let week = try await mostRead.articles(.week)
        keys.insert(day)
        keys.insert(week)
        return site.views.mostRead(day: day, week: week)
    }

    private func isVisible(_ article: Article, now: Date) -> Bool {
        article.status == .published && article.publishedAt <= now
    }

    /// `?page=n`, 1 when absent; anything but a sensible whole number is a 400.
    func pageNumber(_ request: Request) throws -> Int {
        let values = request.uri.queryParameters.getAll("page")
        guard let raw = values.first else { return 1 }
        guard values.count == 1, raw.count <= 6, let number = Int(raw), number >= 1 else {
            throw HTTPError(.badRequest, message: "page must be a whole number from 1")
        }
        return number
    }
}
