import Foundation
import VestnikCore
import VestnikStore

/// The article form as posted: every field kept exactly as typed, so a form with a problem comes back whole.
struct ArticleForm: Sendable, Codable {
    var kicker = ""
    var title = ""
    var slug = ""
    var lead = ""
    var body = ""
    var section = ""
    var topic = ""
    var tags = ""
    var authors = ""
    var sources = ""
    var video = false
    var gallery = false
    /// The featured picture: its library address (`/media/<hash>.<ext>`) or hash, as the picker or the writer put it.
    var featured = ""
    var featuredCaption = ""
    var featuredCredit = ""
    /// The "Още:" blocks as the editor's panel arranged them (`MoreLinks.json`); empty: the automatic ones.
    var more = ""
    /// The "SEO и социални мрежи" panel: the page's `<title>` and meta description, the share card's title,
    /// description and library picture; each empty for the article's own (headline, lead, featured picture).
    var seoTitle = ""
    var seoDescription = ""
    var socialTitle = ""
    var socialDescription = ""
    var socialImage = ""
    /// "Покажи като обновена": a published article's page says "Обновена" with the time of this save.
    var markUpdated = false
    /// When to publish, Sofia time, as a `datetime-local` field sends it: `2026-11-25T18:30`.
    var publishAt = ""
    /// The revision the form was opened at.
    var revision = 0
    /// Which button was pressed: save, review, publish, unpublish, draft.
    var action = "save"

    static let maxTitle = 300
    static let maxShort = 1_000
    static let maxBody = 1_000_000

    init() {}

    /// Autosaves are kept as this form's JSON: a field the form did not have when one was written (the featured
    /// picture's, say) takes its default, so no autosave from an older version is lost.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        kicker = try text(.kicker)
        title = try text(.title)
        slug = try text(.slug)
        lead = try text(.lead)
        body = try text(.body)
        section = try text(.section)
        topic = try text(.topic)
        tags = try text(.tags)
        authors = try text(.authors)
        sources = try text(.sources)
        video = try c.decodeIfPresent(Bool.self, forKey: .video) ?? false
        gallery = try c.decodeIfPresent(Bool.self, forKey: .gallery) ?? false
        featured = try text(.featured)
        featuredCaption = try text(.featuredCaption)
        featuredCredit = try text(.featuredCredit)
        more = try text(.more)
        seoTitle = try text(.seoTitle)
        seoDescription = try text(.seoDescription)
        socialTitle = try text(.socialTitle)
        socialDescription = try text(.socialDescription)
        socialImage = try text(.socialImage)
        markUpdated = try c.decodeIfPresent(Bool.self, forKey: .markUpdated) ?? false
        publishAt = try text(.publishAt)
        revision = try c.decodeIfPresent(Int.self, forKey: .revision) ?? 0
        action = try c.decodeIfPresent(String.self, forKey: .action) ?? "save"
    }

    init(_ form: FormQuery) {
        func one(_ name: String) -> String { form.all(name).first ?? "" }
        kicker = one("kicker")
        title = one("title")
        slug = one("slug")
        lead = one("lead")
        body = one("body")
        section = one("section")
        topic = one("topic")
        tags = one("tags")
        authors = one("authors")
        sources = one("sources")
        video = !one("video").isEmpty
        gallery = !one("gallery").isEmpty
        featured = one("featured")
        featuredCaption = one("featured_caption")
        featuredCredit = one("featured_credit")
        more = one("more")
        seoTitle = one("seo_title")
        seoDescription = one("seo_description")
        socialTitle = one("social_title")
        socialDescription = one("social_description")
        socialImage = one("social_image")
        markUpdated = !one("mark_updated").isEmpty
        publishAt = one("publish_at")
        revision = Int(one("revision")) ?? 0
        action = one("action").isEmpty ? "save" : one("action")
    }

    init(_ draft: ArticleInput, revision: Int) {
        kicker = draft.kicker
        title = draft.title
        slug = draft.slug
        lead = draft.lead
        body = draft.bodyHTML
        section = draft.section
        topic = draft.topic ?? ""
        tags = draft.tags.joined(separator: ", ")
        authors = draft.authors.map { byline in byline.role.map { "\(byline.name) | \($0)" } ?? byline.name }.joined(separator: "\n")
        sources = draft.sources.joined(separator: ", ")
        video = draft.media.video
        gallery = draft.media.gallery
        if let image = draft.featuredImage {
            featured = image.media
            featuredCaption = image.caption
            featuredCredit = image.credit
        }
        more = draft.more?.json ?? ""
        seoTitle = draft.seoTitle ?? ""
        seoDescription = draft.seoDescription ?? ""
        socialTitle = draft.socialTitle ?? ""
        socialDescription = draft.socialDescription ?? ""
        socialImage = draft.socialImage ?? ""
        if draft.status == .scheduled {
            publishAt = BreakingNewsController.localTime(draft.publishedAt)
        }
        self.revision = revision
    }

    /// The draft this form describes, or the locale key of what is wrong with it. `sections` are the section names
    /// that exist (an unknown section is refused: editors create sections).
    /// `now` stands in for the publication time, which the repository sets on first publication.
    func draft(status: ArticleStatus, sections: [Section], now: Date) -> Result<ArticleInput, FormProblem> {
        let title = Self.line(self.title)
        if title.isEmpty { return .failure(FormProblem(key: "nr_error_title_empty")) }
        if title.count > Self.maxTitle { return .failure(FormProblem(key: "nr_error_title_long")) }
        if [topic, tags, sources, authors].contains(where: { $0.count > Self.maxShort * 10 }) {
            return .failure(FormProblem(key: "nr_error_field_long"))
        }
        if kicker.count > Self.maxShort || lead.count > Self.maxShort * 5 { return .failure(FormProblem(key: "nr_error_field_long")) }
        if body.utf8.count > Self.maxBody { return .failure(FormProblem(key: "nr_error_body_long")) }
        if featuredCaption.count > Self.maxShort || featuredCredit.count > Self.maxShort {
            return .failure(FormProblem(key: "nr_error_field_long"))
        }
        var featuredImage: FeaturedImage?
        if !Self.line(featured).isEmpty {
            guard let hash = Self.mediaHash(featured) else { return .failure(FormProblem(key: "nr_error_featured")) }
            featuredImage = FeaturedImage(media: hash, caption: Self.line(featuredCaption), credit: Self.line(featuredCredit))
        }
        let seo = [seoTitle, seoDescription, socialTitle, socialDescription].map { Self.line($0) }
        if seo[0].count > ArticleInput.maxSEOTitle || seo[2].count > ArticleInput.maxSEOTitle
            || seo[1].count > ArticleInput.maxSEODescription || seo[3].count > ArticleInput.maxSEODescription
        {
            return .failure(FormProblem(key: "nr_error_seo_long"))
        }
        var socialHash: String?
        if !Self.line(socialImage).isEmpty {
            guard let hash = Self.mediaHash(socialImage) else { return .failure(FormProblem(key: "nr_error_social_image")) }
            socialHash = hash
        }
        var more: MoreLinks?
        if !self.more.isEmpty {
            guard let plan = MoreLinks(json: self.more) else { return .failure(FormProblem(key: "nr_error_more")) }
            more = plan
        }
        let typedSlug = Self.line(slug)
        let slug = typedSlug.isEmpty ? Slug.make(title) : typedSlug
        if slug.isEmpty || Slug.make(slug) != slug || slug.count > 200 { return .failure(FormProblem(key: "nr_error_slug")) }
        let sectionName = Self.line(section)
        guard let section = sections.first(where: { $0.name == sectionName || $0.slug == sectionName }) else {
            return .failure(FormProblem(key: "nr_error_section"))
        }
        var publishedAt = now
        if status == .scheduled {
            guard let time = Self.sofiaTime(publishAt), time > now else { return .failure(FormProblem(key: "nr_error_schedule")) }
            publishedAt = time
        }
        let authors = self.authors.split(whereSeparator: \.isNewline).compactMap { line -> ArticleInput.Byline? in
            let parts = line.split(separator: "|", maxSplits: 1).map { Self.line(String($0)) }
            guard let name = parts.first, !name.isEmpty else { return nil }
            return ArticleInput.Byline(name: name, role: parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil)
        }
        return .success(
            ArticleInput(
                slug: slug, kicker: Self.line(kicker), title: title, lead: Self.line(lead), bodyHTML: BodySanitizer.sanitize(body),
                section: section.name, topic: Self.line(topic).isEmpty ? nil : Self.line(topic), tags: Self.list(tags), authors: authors,
                sources: Self.list(sources), media: MediaMarkers(video: video, gallery: gallery), status: status, publishedAt: publishedAt,
                featuredImage: featuredImage, more: more, seoTitle: seo[0].isEmpty ? nil : seo[0],
                seoDescription: seo[1].isEmpty ? nil : seo[1], socialTitle: seo[2].isEmpty ? nil : seo[2],
                socialDescription: seo[3].isEmpty ? nil : seo[3], socialImage: socialHash))
    }

    /// The status the pressed button asks for, from an article now in `current`; nil for an unknown button.
    func target(current: ArticleStatus) -> ArticleStatus? {
        if action == "save" { return current }
        return ArticleStatus.allCases.first { Self.action(for: $0) == action }
    }

    /// The button (the form's `action`) that moves an article to `status`.
    static func action(for status: ArticleStatus) -> String {
        switch status {
        case .review: return "review"
        case .scheduled: return "schedule"
        case .published: return "publish"
        case .unpublished: return "unpublish"
        case .draft: return "draft"
        }
    }

    /// The hash in a library address as typed or pasted: the bare hash, `/media/<hash>.<ext>`, or the same on the
    /// site's absolute URL. Whether the library holds it is the controller's question.
    static func mediaHash(_ text: String) -> String? {
        let trimmed = line(text)
        if MediaAddress.isHash(trimmed) { return trimmed }
        guard let range = trimmed.range(of: MediaAddress.pathPrefix, options: .backwards),
            let address = MediaAddress(path: String(trimmed[range.lowerBound...]))
        else { return nil }
        return address.hash
    }

    /// `YYYY-MM-DDTHH:MM` read as Sofia wall-clock time.
    static func sofiaTime(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { "-T:".contains($0) }).map { Int($0) }
        guard text.count == 16, parts.count == 5, parts.allSatisfy({ $0 != nil }) else { return nil }
        return SofiaTime.date(from: LocalDateTime(year: parts[0]!, month: parts[1]!, day: parts[2]!, hour: parts[3]!, minute: parts[4]!))
    }

    /// One line of text: whitespace runs (line breaks too) collapsed, trimmed.
    static func line(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }

    static func list(_ text: String) -> [String] {
        var seen = Set<String>()
        return text.split(whereSeparator: { $0 == "," || $0.isNewline }).map { line(String($0)) }.filter {
            !$0.isEmpty && seen.insert($0).inserted
        }
    }
}

struct FormProblem: Error, Sendable {
    var key: String
}
