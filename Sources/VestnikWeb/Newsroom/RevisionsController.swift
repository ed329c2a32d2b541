import Foundation
import Hummingbird
import VestnikCore
import VestnikStore

/// One revision of an article beside the one before it, with a link that loads it into the editor to restore it.
struct RevisionsController: Sendable {
    typealias Context = VestnikRequestContext
    let pages: NewsroomPages
    let editorial: EditorialRepository

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("articles/{id}/revisions/{number}", use: revision)
    }

    @Sendable func revision(_ request: Request, context: Context) async throws -> Response {
        guard let session = context.newsroom.session else { return try await pages.signInFirst() }
        let t = pages.t
        let article = try await EditorController.loadArticle(context, session: session, editorial: editorial)
        guard let text = context.parameters.get("number"), text.count <= 9, let number = Int(text),
            let (input, info) = try await editorial.revision(articleID: article.id, number: number)
        else { throw HTTPError(.notFound) }
        let previous = try await editorial.revision(articleID: article.id, number: number - 1)
        let before = previous?.input ?? ArticleInput(slug: "", title: "", lead: "", bodyHTML: "", section: "", publishedAt: info.at)
        let diff = RevisionDiff.fields(from: before, to: input, locale: t)
        let page = RevisionPage(
            layout: pages.layout(t.format("nr_revision_title", ["number": text]), session),
            heading: t.format("nr_revision_title", ["number": text]),
            byline: "\(info.userName) · \(pages.dates.dateLine(info.at))",
            leftLabel: previous == nil ? t["nr_revision_none"] : t.format("nr_revision_title", ["number": String(number - 1)]),
            rightLabel: t.format("nr_revision_title", ["number": text]),
            diff: diff, unchanged: diff.isEmpty, fields: ArticleComparison(t: t, dates: pages.dates).fields(before, input),
            restoreURL: NewsroomURLs.article(article.id) + "?restore=\(number)", editURL: NewsroomURLs.article(article.id))
        return try pages.render("nr-revision", page)
    }
}

/// Two versions of an article field by field, for the conflict page and the revision view.
struct ArticleComparison {
    let t: SiteLocale
    let dates: NewsDateFormatter

    /// The locale key that labels a field.
    static func labelKey(_ field: ArticleField) -> String {
        if field == .publishedAt { return "nr_field_publish_at" }
        // seoTitle → nr_field_seo_title
        return "nr_field_" + field.rawValue.map { $0.isUppercase ? "_" + $0.lowercased() : String($0) }.joined()
    }

    /// The fields side by side; with `only`, just the fields whose label keys it holds.
    func fields(_ left: ArticleInput, _ right: ArticleInput, only: Set<String>? = nil) -> [ConflictField] {
        func field(_ key: String, _ a: String, _ b: String, html: Bool = false) -> ConflictField? {
            if let only, !only.contains(key) { return nil }
            return ConflictField(label: t[key], mine: a, theirs: b, differs: a != b, html: html)
        }
        func names(_ input: ArticleInput) -> String { input.authors.map(\.name).joined(separator: ", ") }
        return [
            field("nr_field_kicker", left.kicker, right.kicker), field("nr_field_title", left.title, right.title),
            field("nr_field_slug", left.slug, right.slug), field("nr_field_lead", left.lead, right.lead),
            field("nr_field_body", left.bodyHTML, right.bodyHTML, html: true),
            field("nr_field_section", left.section, right.section), field("nr_field_topic", left.topic ?? "", right.topic ?? ""),
            field("nr_field_tags", left.tags.joined(separator: ", "), right.tags.joined(separator: ", ")),
            field("nr_field_authors", names(left), names(right)),
            field("nr_field_sources", left.sources.joined(separator: ", "), right.sources.joined(separator: ", ")),
            field("nr_field_featured", featuredText(left.featuredImage), featuredText(right.featuredImage)),
            field("nr_field_more", moreText(left.more), moreText(right.more)),
            field("nr_field_seo_title", left.seoTitle ?? "", right.seoTitle ?? ""),
            field("nr_field_seo_description", left.seoDescription ?? "", right.seoDescription ?? ""),
            field("nr_field_social_title", left.socialTitle ?? "", right.socialTitle ?? ""),
            field("nr_field_social_description", left.socialDescription ?? "", right.socialDescription ?? ""),
            field("nr_field_social_image", left.socialImage ?? "", right.socialImage ?? ""),
            field("nr_field_status", t["nr_status_" + left.status.rawValue], t["nr_status_" + right.status.rawValue]),
            field(
                "nr_field_publish_at", left.status == .scheduled ? dates.dateLine(left.publishedAt) : "",
                right.status == .scheduled ? dates.dateLine(right.publishedAt) : ""),
        ].compactMap { $0 }
    }

    /// An "Още:" arrangement in words, for comparisons: each block's place and its articles (by id; "automatic" for
    /// the ranking's places), then the removed articles. Empty: the site's automatic blocks.
    private func moreText(_ plan: MoreLinks?) -> String {
        guard let plan else { return "" }
        let blocks = plan.blocks.map { block in
            t.format("nr_more_after", ["n": String(block.after)]) + ": "
                + block.links.map { $0 == MoreLinks.automatic ? t["nr_more_automatic"] : "#\($0)" }.joined(separator: ", ")
        }
        let removed = plan.excluded.isEmpty ? [] : [t["nr_more_removed"] + ": " + plan.excluded.map { "#\($0)" }.joined(separator: ", ")]
        return (blocks + removed).joined(separator: " · ")
    }

    /// A featured picture in words, for comparisons: the hash, then the article's own caption and credit.
    private func featuredText(_ image: FeaturedImage?) -> String {
        guard let image else { return "" }
        return [image.media, image.caption, image.credit].filter { !$0.isEmpty }.joined(separator: " · ")
    }
}
