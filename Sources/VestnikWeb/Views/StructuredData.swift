import Foundation
import VestnikCore
import VestnikStore

/// JSON-LD (schema.org) for the public pages: NewsArticle, BreadcrumbList, ItemList, Organization and WebSite.
///
/// Blocks are typed `LinkedData` values written by `LinkedDataWriter`, so no headline can break the JSON, and
/// `<`, `>` and `&` are written as `\u003c`, `\u003e`, `\u0026`, so none can end the `<script>` element either
/// (`</script>` in a title stays inside the string).
struct StructuredData {
    typealias Block = LinkedData

    let siteName: String
    let publicURL: String
    let language: String
    let logo: Picture
    /// The first step of every breadcrumb trail ("Начало").
    let homeName: String
    let dates: NewsDateFormatter
    /// The publisher block, the same on every page: made once, not per page (twice on an article without byline).
    private let organization: Block

    init(siteName: String, publicURL: String, language: String, logo: Picture, homeName: String, dates: NewsDateFormatter) {
        self.siteName = siteName
        self.publicURL = publicURL
        self.language = language
        self.logo = logo
        self.homeName = homeName
        self.dates = dates
        organization = [
            .type: "Organization", .name: .string(siteName), .url: .string(SiteURLs.absolute(SiteURLs.home, on: publicURL)),
            .logo: Self.image(logo),
        ]
    }

    /// A block as the text of a `<script type="application/ld+json">`: the bytes `JSONText.encode` gives of the
    /// same value (sorted keys, unescaped slashes), with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`.
    ///
    /// Foundation's `JSONSerialization`, a second pass over every Unicode scalar, and then `as?` casts on
    /// dictionaries of `Any` were each in turn a large share of an article page's CPU; a typed value written on
    /// UTF-8 bytes is none of that.
    static func script(_ block: Block) -> String {
        String(decoding: scripts([block])[0], as: UTF8.self)  // the pages' own path, so the tests hold it
    }

    /// Each block's `script` text as UTF-8 bytes, all written into one buffer and handed out as slices of it.
    static func scripts(_ blocks: [Block]) -> [ArraySlice<UInt8>] {
        // An article's two blocks come to about 2 KB: one buffer that does not grow on the way.
        var writer = LinkedDataWriter(capacity: 1024 * max(blocks.count, 1))
        var ends: [Int] = []
        ends.reserveCapacity(blocks.count)
        for block in blocks {
            writer.write(block)
            ends.append(writer.bytes.count)
        }
        let bytes = writer.bytes
        var start = 0
        return ends.map { end in
            defer { start = end }
            return bytes[start..<end]
        }
    }

    /// The Foundation path, kept as the reference the writer is tested against.
    static func foundationScript(_ block: Block) -> String {
        var out = ""
        for scalar in JSONText.encode(block.foundationValue).unicodeScalars {
            switch scalar {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `modified`: the page's last change (a correction is one); `corrections`: each note with its anchored address,
    /// as schema.org `CorrectionComment`s.
    func newsArticle(
        _ article: Article, url: String, pictures: [Picture], modified: Date? = nil, corrections: [(url: String, Correction)] = []
    ) -> Block {
        var block: Block = [
            .context: "https://schema.org", .type: "NewsArticle",
            .mainEntityOfPage: [.type: "WebPage", .id: .string(url)], .url: .string(url),
            .headline: .string(article.headline), .description: .string(article.lead),
            .image: .array(pictures.map(image)),
            .datePublished: .string(dates.isoDateTime(article.publishedAt)),
            .dateModified: .string(dates.isoDateTime(modified ?? article.shownModified)),
            .author: article.authors.isEmpty
                ? [organization]
                : .array(
                    article.authors.map { author -> Block in
                        var person: Block = [
                            .type: "Person", .name: .string(author.name), .url: .string(absolute(SiteURLs.author(author.slug))),
                        ]
                        if !author.role.isEmpty { person[.jobTitle] = .string(author.role) }
                        return person
                    }),
            .publisher: organization, .articleSection: .string(article.section.name), .inLanguage: .string(language),
            .isAccessibleForFree: true,
        ]
        if !article.tags.isEmpty { block[.keywords] = .string(article.tags.map(\.name).joined(separator: ", ")) }
        if !corrections.isEmpty {
            block[.correction] = .array(
                corrections.map { url, note -> Block in
                    [
                        .type: "CorrectionComment", .url: .string(url), .text: .string(note.text),
                        .datePublished: .string(dates.isoDateTime(note.at)),
                    ]
                })
        }
        return block
    }

    /// A live blog (schema.org `LiveBlogPosting`): the coverage's start and end, and each entry as a `BlogPosting`
    /// with its own anchored address, newest first.
    func liveBlog(
        _ article: Article, url: String, coverage: LiveCoverage, entries: [LiveEntry], modified: Date, pictures: [Picture]
    ) -> Block {
        var block: Block = [
            .context: "https://schema.org", .type: "LiveBlogPosting", .url: .string(url),
            .mainEntityOfPage: [.type: "WebPage", .id: .string(url)], .headline: .string(article.headline),
            .description: .string(article.lead), .image: .array(pictures.map(image)),
            .datePublished: .string(dates.isoDateTime(article.publishedAt)), .dateModified: .string(dates.isoDateTime(modified)),
            .coverageStartTime: .string(dates.isoDateTime(coverage.startedAt)), .publisher: organization,
            .inLanguage: .string(language),
            .liveBlogUpdate: .array(
                entries.map { entry -> Block in
                    let text = entry.paragraphs.joined(separator: "\n\n")
                    var update: Block = [
                        .type: "BlogPosting", .headline: .string(String(text.prefix(110))), .articleBody: .string(text),
                        .datePublished: .string(dates.isoDateTime(entry.at)), .url: .string(url + "#zapis-\(entry.id)"),
                    ]
                    // No `author` per entry (the page shows who wrote it): text extractors such as trafilatura take
                    // every author in the JSON-LD as the article's, and named the desk as its authors.
                    if let picture = entry.picture { update[.image] = .string(absolute(picture.path)) }
                    return update
                }),
        ]
        // Google asks for an end while the coverage runs too: it has none planned, so a day after its newest entry
        // (a live blog with no entry for a day is over in practice); once ended, the real end.
        let end = coverage.endedAt ?? (entries.first?.at ?? coverage.startedAt).addingTimeInterval(24 * 3600)
        block[.coverageEndTime] = .string(dates.isoDateTime(end))
        return block
    }

    /// A gallery of an article (schema.org `ImageGallery`): its pictures as `ImageObject`s with their captions and
    /// credits (`credit` words one as the page does), in the order the page shows them.
    func imageGallery(
        url: String, name: String, pictures: [(url: String, item: MediaItem)], credit: (String) -> String
    ) -> Block {
        [
            .context: "https://schema.org", .type: "ImageGallery", .url: .string(url), .name: .string(name),
            .image: .array(
                pictures.map { url, item -> Block in
                    var image: Block = [
                        .type: "ImageObject", .contentUrl: .string(url), .width: .int(item.width), .height: .int(item.height),
                        .description: .string(item.alt),
                    ]
                    if !item.caption.isEmpty { image[.caption] = .string(item.caption) }
                    if !item.credit.isEmpty { image[.creditText] = .string(credit(item.credit)) }
                    return image
                }),
        ]
    }

    /// The trail from the home page through `steps` (name and path); the last step is the page itself.
    func breadcrumbs(_ steps: [(name: String, path: String)]) -> Block {
        let trail = [(name: homeName, path: SiteURLs.home)] + steps
        return [
            .context: "https://schema.org", .type: "BreadcrumbList",
            .itemListElement: .array(
                trail.enumerated().map { index, step -> Block in
                    [.type: "ListItem", .position: .int(index + 1), .name: .string(step.name), .item: .string(absolute(step.path))]
                }),
        ]
    }

    /// The articles a list page shows, in order; `first` is the position of the first (21 on a second page of 20).
    func itemList(_ paths: [String], first: Int) -> Block {
        [
            .context: "https://schema.org", .type: "ItemList",
            .itemListElement: .array(
                paths.enumerated().map { index, path -> Block in
                    [.type: "ListItem", .position: .int(first + index), .url: .string(absolute(path))]
                }),
        ]
    }

    /// The publisher, as the home page introduces it.
    func publisher() -> Block {
        var block = organization
        block[.context] = "https://schema.org"
        return block
    }

    /// The site, with the search box Google may show under its name.
    func website() -> Block {
        [
            .context: "https://schema.org", .type: "WebSite", .name: .string(siteName), .url: .string(absolute(SiteURLs.home)),
            .inLanguage: .string(language), .publisher: organization,
            .potentialAction: [
                .type: "SearchAction",
                .target: [.type: "EntryPoint", .urlTemplate: .string(absolute(SiteURLs.search) + "?q={search_term_string}")],
                .queryInput: "required name=search_term_string",
            ],
        ]
    }

    private func image(_ picture: Picture) -> Block { Self.image(picture) }

    private static func image(_ picture: Picture) -> Block {
        guard let width = picture.width, let height = picture.height else { return .string(picture.url) }
        return [.type: "ImageObject", .url: .string(picture.url), .width: .int(width), .height: .int(height)]
    }

    private func absolute(_ path: String) -> String { SiteURLs.absolute(path, on: publicURL) }
}
