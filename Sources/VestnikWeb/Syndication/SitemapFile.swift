import VestnikCore
import VestnikStore

/// One sitemap of the index, named as in its URL: `pages`, `sections`, `tags-2`, `articles-2026-11`,
/// `articles-2026-11-2`. Each holds at most `ReachLimits.sitemapURLs` addresses; page 1 carries no number.
enum SitemapFile: Equatable, Sendable {
    /// Pages that are not lists of one subject: the home page.
    case pages
    /// Section, topic, tag or author pages with a visible article.
    case lists(TaxonomyKind, page: Int)
    /// A Sofia month of articles.
    case articles(ArchiveMonth, page: Int)

    var name: String {
        switch self {
        case .pages: return "pages"
        case .lists(let kind, let page): return Self.plural(kind) + Self.suffix(page)
        case .articles(let month, let page): return "articles-\(month)" + Self.suffix(page)
        }
    }

    /// The sitemap a name stands for; `nil` unless the name is exactly the one `name` would give (so `tags-1`,
    /// `tags-02` and `articles-2026-1` name nothing).
    init?(name: String) {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        func page(_ index: Int) -> Int? {
            guard parts.count > index else { return 1 }
            guard parts.count == index + 1, parts[index].count <= 6 else { return nil }
            return Int(parts[index])
        }
        let file: SitemapFile?
        switch parts[0] {
        case "pages": file = parts.count == 1 ? .pages : nil
        case "articles":
            guard parts.count >= 3, parts[1].count == 4, parts[2].count == 2, let year = Int(parts[1]),
                let monthNumber = Int(parts[2]), let month = ArchiveMonth(year: year, month: monthNumber),
                let number = page(3)
            else { return nil }
            file = .articles(month, page: number)
        default:
            guard let kind = TaxonomyKind.allCases.first(where: { Self.plural($0) == parts[0] }), let number = page(1)
            else { return nil }
            file = .lists(kind, page: number)
        }
        guard let file, file.name == name else { return nil }
        self = file
    }

    private static func plural(_ kind: TaxonomyKind) -> String { kind.rawValue + "s" }

    private static func suffix(_ page: Int) -> String { page > 1 ? "-\(page)" : "" }
}
