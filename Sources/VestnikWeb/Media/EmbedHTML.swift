import VestnikCore

/// What readers get for an embed marker of a stored body (see `Embed`): YouTube as an iframe on
/// youtube-nocookie.com (no cookies until the reader plays it) with fixed attributes (no sandbox: the player needs
/// scripts and its own origin, which together would void one; it is another origin anyway), and X and Facebook posts as a
/// quote with a link to the post: no third-party script ever runs on our pages.
struct EmbedHTML: Sendable {
    let locale: SiteLocale

    /// The block's HTML for readers: an embed marker rendered, any other block as stored.
    func render(_ block: String) -> String { embed(block) ?? block }

    /// The same for a block of a stored body: only a block that starts as a marker does becomes a string.
    func render(_ block: StoredBlock) -> ArraySlice<UInt8> {
        guard block.html.starts(with: Self.markerStart), let html = embed(block.text) else { return block.html }
        return Array(html.utf8)[...]
    }

    private static let markerStart = Array("<figure class=\"embed\"".utf8)

    /// The HTML for readers of an embed marker; nil for any other block.
    private func embed(_ block: String) -> String? {
        guard block.hasPrefix("<figure class=\"embed\""), let embed = Embed(marker: block) else { return nil }
        let id = HTML.escape(embed.id)
        switch embed.provider {
        case .youtube:
            return "<figure class=\"embed embed-youtube\"><iframe src=\"https://www.youtube-nocookie.com/embed/\(id)\""
                + " title=\"\(HTML.escape(locale["embed_youtube_title"]))\" width=\"560\" height=\"315\""
                + " allow=\"accelerometer; encrypted-media; gyroscope; picture-in-picture; fullscreen\""
                + " referrerpolicy=\"strict-origin-when-cross-origin\"></iframe></figure>"
        case .x, .facebook:
            let key = embed.provider == .x ? "embed_x_link" : "embed_facebook_link"
            return "<figure class=\"embed embed-\(embed.provider.rawValue)\"><blockquote class=\"embed-post\"><p><a href=\""
                + HTML.escape(embed.postURL) + "\" rel=\"noopener\">\(HTML.escape(locale[key]))</a></p></blockquote></figure>"
        }
    }

    /// A whole stored body with its embeds rendered (feeds carry the body in one piece).
    func renderBody(_ html: String) -> String {
        guard html.contains("class=\"embed\"") else { return html }
        return ArticleBody.blocks(fromHTML: html).map { render($0.html) }.joined(separator: "\n")
    }
}
