import Foundation
import VestnikCore

/// JSON-LD (schema.org) for the public pages: NewsArticle, BreadcrumbList, ItemList, Organization and WebSite.
///
/// Blocks are built as plain dictionaries and serialised by `JSONSerialization`, so no headline can break the
/// JSON; `script(_:)` then writes `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, so none can end the
/// `<script>` element either (`</script>` in a title stays inside the string).
struct StructuredData {
    typealias Block = [String: Any]

    let siteName: String
    let publicURL: String
    let language: String
    let logo: Picture
    /// The first step of every breadcrumb trail ("Начало").
    let homeName: String
    let dates: NewsDateFormatter

    /// A block as the text of a `<script type="application/ld+json">`: the bytes `JSONText.encode` would give
    /// (sorted keys, unescaped slashes), with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`.
    ///
    /// Written by `LinkedDataWriter` on UTF-8 bytes: Foundation's `JSONSerialization` and a second pass over every
    /// Unicode scalar were a twelfth of an article page's CPU. A value of a type the writer does not know falls back
    /// to the Foundation path.
    static func script(_ block: Block) -> String {
        var writer = LinkedDataWriter()
        if writer.write(block) { return writer.text }
        return foundationScript(block)
    }

    /// The Foundation path, kept as the reference the writer is tested against.
    static func foundationScript(_ block: Block) -> String {
        var out = ""
        for scalar in JSONText.encode(block).unicodeScalars {
            switch scalar {
            case "<": out += "\\u003c"
            case ">": out += "\\u003e"
            case "&": out += "\\u0026"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    func newsArticle(_ article: Article, url: String, pictures: [Picture]) -> Block {
        var block: Block = [
            "@context": "https://schema.org", "@type": "NewsArticle",
            "mainEntityOfPage": ["@type": "WebPage", "@id": url], "url": url,
            "headline": article.headline, "description": article.lead,
            "image": pictures.map(image),
            "datePublished": dates.isoDateTime(article.publishedAt), "dateModified": dates.isoDateTime(article.updatedAt),
            "author": article.authors.isEmpty
                ? [organization]
                : article.authors.map { author -> Block in
                    var person: Block = ["@type": "Person", "name": author.name, "url": absolute(SiteURLs.author(author.slug))]
                    if !author.role.isEmpty { person["jobTitle"] = author.role }
                    return person
                },
            "publisher": organization, "articleSection": article.section.name, "inLanguage": language,
            "isAccessibleForFree": true,
        ]
        if !article.tags.isEmpty { block["keywords"] = article.tags.map(\.name).joined(separator: ", ") }
        return block
    }

    /// The trail from the home page through `steps` (name and path); the last step is the page itself.
    func breadcrumbs(_ steps: [(name: String, path: String)]) -> Block {
        let trail = [(name: homeName, path: SiteURLs.home)] + steps
        return [
            "@context": "https://schema.org", "@type": "BreadcrumbList",
            "itemListElement": trail.enumerated().map { index, step -> Block in
                ["@type": "ListItem", "position": index + 1, "name": step.name, "item": absolute(step.path)]
            },
        ]
    }

    /// The articles a list page shows, in order; `first` is the position of the first (21 on a second page of 20).
    func itemList(_ paths: [String], first: Int) -> Block {
        [
            "@context": "https://schema.org", "@type": "ItemList",
            "itemListElement": paths.enumerated().map { index, path -> Block in
                ["@type": "ListItem", "position": first + index, "url": absolute(path)]
            },
        ]
    }

    /// The publisher, as the home page introduces it.
    func publisher() -> Block {
        organization.merging(["@context": "https://schema.org"]) { current, _ in current }
    }

    /// The site, with the search box Google may show under its name.
    func website() -> Block {
        [
            "@context": "https://schema.org", "@type": "WebSite", "name": siteName, "url": absolute(SiteURLs.home),
            "inLanguage": language, "publisher": organization,
            "potentialAction": [
                "@type": "SearchAction",
                "target": ["@type": "EntryPoint", "urlTemplate": absolute(SiteURLs.search) + "?q={search_term_string}"],
                "query-input": "required name=search_term_string",
            ] as Block,
        ]
    }

    private var organization: Block {
        ["@type": "Organization", "name": siteName, "url": absolute(SiteURLs.home), "logo": image(logo)]
    }

    private func image(_ picture: Picture) -> Any {
        guard let width = picture.width, let height = picture.height else { return picture.url }
        return ["@type": "ImageObject", "url": picture.url, "width": width, "height": height] as Block
    }

    private func absolute(_ path: String) -> String { SiteURLs.absolute(path, on: publicURL) }
}
