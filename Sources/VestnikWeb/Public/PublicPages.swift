import Foundation
import VestnikCore
import VestnikStore

// The public pages' view models, built from what their controller read (which also gathered the page's cache keys):
// every string formatted here, so that a controller only fetches and a template only places.

extension HomeView {
    /// The front page: its zones filled (`PublicController.frontZones`), each section's newest (`sectionLists`, by
    /// id), today's and the most read.
    convenience init(
        zones: [FilledZone], sectionLists: [Int: [ArticleSummary]], sections: [Section], banner: BreakingNews?,
        today: [ArticleSummary], mostRead: MostReadView?, views: ViewFactory, pictures: CardPictures = .none, now: Date
    ) {
        let data = views.structuredData
        let shown = zones.flatMap(\.articles)
        self.init(
            layout: views.layout(
                title: nil, canonical: SiteURLs.home, sections: sections, banner: banner, subject: .site,
                jsonLD: [data.publisher(), data.website(), data.itemList(shown.map(SiteURLs.article), first: 1)], now: now),
            zones: views.zoneBlocks(zones, pictures: pictures),
            sections: sections.compactMap { section in
                guard let items = sectionLists[section.id], !items.isEmpty else { return nil }
                return SectionBlock(
                    name: section.name, url: SiteURLs.section(section.slug), cards: views.cards(items, pictures: pictures))
            },
            today: today.map(views.card), mostRead: mostRead)
    }
}

/// A zone the theme declares, with the stories it shows.
typealias FilledZone = (zone: FrontZone, articles: [ArticleSummary])

extension ViewFactory {
    /// The zones as a template shows them: a `lead` zone's first story large, every label from the locale
    /// (`zone_<name>`, else the zone's name).
    /// The zones as the theme shows them. What is above the fold loads at once: a lead story's picture and the
    /// first two cards after it, whichever zones they are in; the rest lazily.
    func zoneBlocks(_ zones: [FilledZone], pictures: CardPictures = .none) -> [ZoneBlock] {
        var eager = 2
        return zones.filter { !$0.articles.isEmpty }.map { filled in
            let key = "zone_" + filled.zone.name
            let label = locale[key] == key ? filled.zone.name : locale[key]
            let lead = filled.zone.lead ? cards(filled.articles.prefix(1), pictures: pictures, lead: true, eager: 1).first : nil
            let rest = cards(filled.zone.lead ? filled.articles.dropFirst() : filled.articles[...], pictures: pictures, eager: eager)
            eager -= min(eager, rest.count)
            return ZoneBlock(name: filled.zone.name, label: label, lead: lead, cards: rest, hasCards: !rest.isEmpty)
        }
    }
}

extension ArticleView {
    /// An article's page; `related` fills its "Още:" blocks, `countsReads` is false on previews (no read beacon).
    convenience init(
        article: Article, related: [ArticleSummary], today: [ArticleSummary], sections: [Section], banner: BreakingNews?,
        mostRead: MostReadView?,
        countsReads: Bool, site: Site, now: Date, renditions: [Rendition] = [], bodyPictures: BodyPictures = .none,
        galleries: GalleryHTML? = nil, corrections: [Correction] = [], live: (coverage: LiveCoverage, entries: [LiveEntry])? = nil,
        embedPreviews: [Embed: EmbedPreview] = [:], socialRenditions: [Rendition] = []
    ) {
        let views = site.views
        let locale = site.locale
        let embeds = EmbedHTML(locale: locale, previews: embedPreviews)
        let blocks = ArticleBody.blocks(fromUTF8: article.bodyUTF8)
        let segments: [InlineMoreBlocks.Segment<StoredBlock, ArticleCard>]
        if let plan = article.more {
            // The journalist's blocks: hand-picked articles where they were placed, the ranking in the open places.
            let ranked = related.map { (id: $0.id, link: views.card($0)) }
            let chosen = Set(plan.chosen)
            let available = Dictionary(
                ranked.filter { chosen.contains($0.id) }.map { ($0.id, $0.link) }, uniquingKeysWith: { first, _ in first })
            let placed = plan.fill(article: article.id, ranked: ranked, available: available).map { ($0.after, $0.links.map(\.link)) }
            segments = site.moreBlocks.layout(blocks, placed: placed)
        } else {
            segments = site.moreBlocks.layout(blocks, links: related.map(views.card))
        }
        var galleryCount = 0
        let body = segments.map { segment -> BodySegment in
            switch segment {
            case .block(let block):
                if block.kind == .figure, let html = galleries?.render(block, number: galleryCount + 1) {
                    galleryCount += 1
                    return BodySegment(html: html, more: nil)
                }
                return BodySegment(
                    html: block.kind == .figure ? bodyPictures.render(embeds.render(block)) : embeds.render(block), more: nil)
            case .more(let links): return BodySegment(html: nil, more: MoreBlock(links: links))
            }
        }
        let published = views.dates.isoDateTime(article.publishedAt)  // for the meta tags and <time> both
        // The page says it changed when an editor marked it updated ("Покажи като обновена"), not at every save (a typo
        // fix is no news). A correction changes what the page says without a save: the page's modification time is the
        // newest of both. A live entry too: `datePublished` stays, `dateModified` moves with the newest note or entry.
        let shown = article.shownModified
        let modified = max(
            shown, corrections.map(\.at).max() ?? shown, live?.entries.first?.at ?? shown, live?.coverage.endedAt ?? shown)
        let meta = ArticleMeta(
            author: article.authors.map(\.name).joined(separator: ", "),
            authorURLs: article.authors.map { views.absolute(SiteURLs.author($0.slug)) }, section: article.section.name,
            published: published, modified: views.dates.isoDateTime(modified),
            tags: article.tags.map(\.name))
        let url = SiteURLs.article(article)
        let pictures = views.pictures(
            for: article, blocks: blocks, renditions: renditions, copies: bodyPictures.copies, galleries: galleries)
        // The share card's picture: the one chosen for it, else the article's.
        let sharePicture =
            article.seo.socialImage.map {
                views.libraryPictures($0.address, width: $0.width, height: $0.height, bytes: $0.bytes, renditions: socialRenditions)[0]
            } ?? pictures[0]
        let data = views.structuredData
        let absoluteURL = views.absolute(url)
        var linkedData: [StructuredData.Block] = [
            data.newsArticle(
                article, url: absoluteURL, pictures: pictures, modified: modified,
                corrections: corrections.map { (url: absoluteURL + "#" + CorrectionView.anchor($0), $0) }),
            data.breadcrumbs([(article.section.name, SiteURLs.section(article.section.slug)), (article.headline, url)]),
        ]
        for (index, pictures) in (galleries?.galleries(in: blocks) ?? []).enumerated() {
            linkedData.append(
                data.imageGallery(
                    url: absoluteURL + "#galeriya-\(index + 1)", name: article.headline,
                    pictures: pictures.map { (url: views.absolute($0.address.path), item: $0) },
                    credit: { locale.format("photo_credit", ["credit": $0]) }))
        }
        if let live {
            linkedData.append(
                data.liveBlog(
                    article, url: absoluteURL, coverage: live.coverage, entries: live.entries, modified: modified, pictures: pictures))
        }
        self.init(
            layout: views.layout(
                title: article.headline, exactTitle: article.seo.title.isEmpty ? nil : article.seo.title,
                description: article.seo.description.isEmpty ? article.lead : article.seo.description, canonical: url,
                sections: sections, banner: banner, currentSection: article.section.slug, meta: meta, subject: .section(article.section),
                image: sharePicture, jsonLD: linkedData, now: now,
                shareTitle: article.seo.socialTitle.isEmpty ? nil : article.seo.socialTitle,
                shareDescription: article.seo.socialDescription.isEmpty ? nil : article.seo.socialDescription),
            sectionName: article.section.name, sectionURL: SiteURLs.section(article.section.slug),
            kicker: article.kicker.isEmpty ? nil : article.kicker, title: article.title, markers: views.markers(article.media),
            dateLine: views.dates.dateLine(article.publishedAt), datetime: published,
            updatedLine: article.isMarkedUpdated
                ? locale.format("article_updated", ["date": views.dates.dateLine(article.shownModified)]) : nil,
            updatedDatetime: article.isMarkedUpdated ? views.dates.isoDateTime(article.shownModified) : nil,
            reads: String(article.reads), lead: article.lead,
            featured: article.featuredImage.map { image in
                let picture = ResponsivePicture(original: image.address, renditions: renditions)
                return FeaturedFigureView(
                    src: picture.src, alt: image.alt, width: String(image.width), height: String(image.height),
                    caption: image.caption.isEmpty ? nil : image.caption,
                    credit: image.credit.isEmpty ? nil : locale.format("photo_credit", ["credit": image.credit]),
                    srcset: picture.srcset, sizes: ResponsivePicture.articleSizes, sources: picture.sources)
            }, body: body,
            sources: article.sources.isEmpty
                ? nil : locale.format("article_sources", ["sources": article.sources.joined(separator: ", ")]),
            topicLink: article.topic.map {
                TagLink(name: locale.format("article_topic_link", ["topic": $0.name]), url: SiteURLs.topic($0.slug))
            },
            tags: article.tags.map { TagLink(name: $0.name, url: SiteURLs.tag($0.slug)) },
            authors: article.authors.map {
                BylineView(
                    name: $0.name, role: $0.role.isEmpty ? nil : $0.role, url: SiteURLs.author($0.slug),
                    photo: $0.photo.isEmpty ? nil : $0.photo)
            },
            today: today.map(views.card), followURL: site.followURL, mostRead: mostRead,
            beacon: countsReads ? views.readBeacon(articleID: article.id) : nil,
            corrections: corrections.map { views.correction($0) }, hasCorrections: !corrections.isEmpty,
            live: live.map { views.liveBlog(articleID: article.id, coverage: $0.coverage, entries: $0.entries) },
            correctedNote: corrections.last.map {
                locale.format("correction_marked", ["date": views.dates.dateLine($0.at)])
            }, galleryScript: galleryCount > 0 ? views.assets.url("gallery.js") : nil,
            embedsScript: article.bodyUTF8.containsBytes(EmbedHTML.markerStart) ? views.embedsScriptURL : nil,
            share: countsReads ? views.share(url: absoluteURL, title: article.headline) : nil)
    }
}

extension CorrectionView {
    /// The note's anchor on its article's page.
    static func anchor(_ correction: Correction) -> String { "popravka-\(correction.id)" }
}

extension ViewFactory {
    /// A note as the article's foot shows it; with `article`, as the corrections page lists it (linking to it).
    func correction(_ correction: Correction, article: ArticleSummary? = nil) -> CorrectionView {
        let anchor = CorrectionView.anchor(correction)
        return CorrectionView(
            anchor: anchor, label: locale["correction_kind_" + correction.kind.rawValue], kind: correction.kind.rawValue,
            dateLine: dates.dateLine(correction.at), datetime: dates.isoDateTime(correction.at), text: correction.text,
            articleTitle: article?.headline, articleURL: article.map { SiteURLs.article($0) + "#" + anchor })
    }
}

extension ListView {
    /// Page `page.number` of a section's, topic's, tag's or author's articles (a topic's as a timeline by day, its
    /// pinned story on the first page).
    convenience init(
        subject: ListSubject, page: Page<ArticleSummary>, request pageRequest: PageRequest, kind: String, subtitle: String?,
        description: String?, currentSection: String?, timeline: Bool, pinned: ArticleSummary?, photo: String?,
        sections: [Section], banner: BreakingNews?, site: Site, pictures: CardPictures = .none, now: Date, zones: [FilledZone] = []
    ) {
        let views = site.views
        let number = pageRequest.number
        let base = subject.path
        let heading = subject.name ?? site.siteName
        let title = number > 1 ? "\(heading) – \(site.locale.format("page_number", ["page": String(number)]))" : heading
        let description = description?.isEmpty == false ? description : nil
        let data = views.structuredData
        self.init(
            layout: views.layout(
                title: title, description: description, canonical: SiteURLs.page(base, number), sections: sections, banner: banner,
                currentSection: currentSection, subject: subject,
                jsonLD: [
                    data.breadcrumbs([(heading, base)]),
                    data.itemList(page.items.map(SiteURLs.article), first: pageRequest.offset + 1),
                ],
                now: now),
            heading: heading, kind: kind, subtitle: subtitle, photo: photo, description: description,
            pinned: number == 1 ? views.cards(pinned.map { [$0] } ?? [], pictures: pictures, lead: true, eager: 1).first : nil,
            cards: timeline
                ? [] : views.cards(page.items, pictures: pictures, eager: number == 1 && (pinned != nil || !zones.isEmpty) ? 0 : 3),
            days: timeline ? views.days(page.items) : nil,
            pager: views.pager(page, base: base), empty: page.items.isEmpty && zones.isEmpty,
            zones: views.zoneBlocks(zones, pictures: pictures))
    }
}

extension ViewFactory {
    /// A live blog's part of the page: key entries, then every entry newest first; the polling address while it runs.
    func liveBlog(articleID: Int, coverage: LiveCoverage, entries: [LiveEntry]) -> LiveBlogView {
        let views = entries.map { entry in
            LiveEntryView(
                anchor: "zapis-\(entry.id)", time: dates.shortTime(entry.at), datetime: dates.isoDateTime(entry.at),
                author: entry.authorName, paragraphs: entry.paragraphs, summary: Self.summary(entry.text),
                picture: entry.picture?.path, pictureAlt: entry.pictureAlt,
                isKey: entry.isKey)
        }
        return LiveBlogView(
            pollURL: coverage.isLive ? SiteURLs.liveEntries(articleID) : nil, scriptURL: coverage.isLive ? assets.url("live.js") : nil,
            status: coverage.endedAt.map { locale.format("live_ended", ["date": dates.dateLine($0)]) } ?? locale["live_running"],
            running: coverage.isLive, keyHeading: locale["live_key"], keyEntries: views.filter(\.isKey), entries: views)
    }

    /// The first words of an entry, on one line, at most 120 characters (a word is not cut).
    static func summary(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard line.count > 120 else { return line }
        let cut = line.prefix(120)
        return (cut.lastIndex(of: " ").map { String(cut[..<$0]) } ?? String(cut)) + "…"
    }
}
