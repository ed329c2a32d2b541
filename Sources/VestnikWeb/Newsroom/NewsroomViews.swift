import Foundation
import VestnikCore

// The hand-written part of the newsroom's views (declared in Newsroom.views).

extension ArticleFormView {
    convenience init(
        _ form: ArticleForm, featuredImage: MediaAddress? = nil, featuredAlt: String = "", socialImage: MediaAddress? = nil,
        socialAlt: String = ""
    ) {
        self.init(
            kicker: form.kicker, title: form.title, slug: form.slug, lead: form.lead, bodyHTML: BodySanitizer.sanitize(form.body),
            topic: form.topic, tags: form.tags, authors: form.authors, sources: form.sources, video: form.video,
            gallery: form.gallery, publishAt: form.publishAt, revision: String(form.revision), featured: form.featured,
            featuredCaption: form.featuredCaption, featuredCredit: form.featuredCredit, featuredSrc: featuredImage?.path,
            featuredAlt: featuredAlt, more: form.more, seoTitle: form.seoTitle, seoDescription: form.seoDescription,
            socialTitle: form.socialTitle, socialDescription: form.socialDescription, socialImage: form.socialImage,
            socialSrc: socialImage?.path, socialAlt: socialAlt)
    }

    var cardSrc: String? { socialSrc ?? featuredSrc }

    var hasSEO: Bool { ![seoTitle, seoDescription, socialTitle, socialDescription, socialImage].allSatisfy(\.isEmpty) }
}
