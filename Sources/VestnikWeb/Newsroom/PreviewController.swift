import Foundation
import HTTPTypes
import Hummingbird
import VestnikCore
import VestnikStore

/// The editor's form as it stands, shown in the public theme's article page (nothing is saved). It renders with the
/// public controller, so it needs the whole site.
struct PreviewController: Sendable {
    typealias Context = VestnikRequestContext
    let site: Site
    let pages: NewsroomPages

    func addRoutes(to group: RouterGroup<Context>) {
        // A whole body sanitised and rendered: heavy work takes turns (HeavyWork).
        group.post("preview") { request, context in try await HeavyWork.shared.run { try await preview(request, context: context) } }
    }

    @Sendable func preview(_ request: Request, context: Context) async throws -> Response {
        guard context.newsroom.session != nil else { return try await pages.signInFirst() }
        let now = site.now()
        let sections = try await site.taxonomy.sections()
        let input: ArticleInput
        switch ArticleForm(context.newsroom.form ?? FormQuery(nil)).draft(status: .draft, sections: sections, now: now) {
        case .failure(let problem): throw HTTPError(.badRequest, message: pages.t[problem.key])
        case .success(let value): input = value
        }
        guard let section = sections.first(where: { $0.name == input.section }) else { throw HTTPError(.badRequest) }
        let article = Article(
            slug: input.slug, kicker: input.kicker, title: input.title, lead: input.lead, bodyHTML: input.bodyHTML, section: section,
            topic: input.topic.map { Topic(slug: Slug.make($0), name: $0) }, tags: input.tags.map { Tag(slug: Slug.make($0), name: $0) },
            authors: input.authors.map { Author(slug: Slug.make($0.name), name: $0.name, role: $0.role ?? "") }, sources: input.sources,
            media: input.media, status: .draft, publishedAt: now, featuredImage: try await articleImage(input.featuredImage),
            seo: ArticleSEO(
                title: input.seoTitle ?? "", description: input.seoDescription ?? "", socialTitle: input.socialTitle ?? "",
                socialDescription: input.socialDescription ?? "",
                socialImage: try await articleImage(input.socialImage.map { FeaturedImage(media: $0) })))
        let mostRead = MostReadLists(reads: site.reads, maxAge: ReadSettings().mostReadMaxAge, now: site.now)
        var unused = PageKeys()
        var response = Response.html(
            try await PublicController<Context>(site: site, mostRead: mostRead).page(
                for: article, now: now, countsReads: false, keys: &unused))
        response.headers[.cacheControl] = "no-store"
        response.headers[HTTPField.Name("X-Robots-Tag")!] = "noindex"
        return response
    }

    /// A chosen featured picture as the public page shows it, when the library holds it.
    private func articleImage(_ chosen: FeaturedImage?) async throws -> ArticleImage? {
        guard let chosen, let item = try await site.media.item(hash: chosen.media) else { return nil }
        return ArticleImage(
            address: item.address, width: item.width, height: item.height, alt: item.alt,
            caption: chosen.caption.isEmpty ? item.caption : chosen.caption, credit: chosen.credit.isEmpty ? item.credit : chosen.credit,
            bytes: item.bytes)
    }
}
