import VestnikCore
import VestnikStore

/// What readers get for an embed marker of a stored body (see `Embed`): a click-to-load facade. The page itself
/// carries a plain link to the post, with the provider's name, the post's title and author and a thumbnail from our
/// own media folder where the background look-up found them (`EmbedPreviewWorker`): no request to the provider, no
/// third-party script or cookie until the reader asks. `embeds.js` then swaps the link for the provider's frame
/// (`Embed.frameURL`: YouTube's no-cookie player, Vimeo's without tracking; every host in the pages' `frame-src`).
/// Feeds and readers without JavaScript keep the link.
struct EmbedHTML: Sendable {
    let locale: SiteLocale
    /// The finished look-ups of the page's posts.
    var previews: [Embed: EmbedPreview] = [:]

    init(locale: SiteLocale, previews: [Embed: EmbedPreview] = [:]) {
        self.locale = locale
        self.previews = previews
    }

    /// The block's HTML for readers: an embed marker rendered, any other block as stored.
    func render(_ block: String) -> String { embed(block) ?? block }

    /// The same for a block of a stored body: only a block that starts as a marker does becomes a string.
    func render(_ block: StoredBlock) -> ArraySlice<UInt8> {
        guard block.html.starts(with: Self.markerStart), let html = embed(block.text) else { return block.html }
        return Array(html.utf8)[...]
    }

    static let markerStart = Array("<figure class=\"embed\"".utf8)

    /// The posts a stored body embeds, in order, each once.
    static func embeds(inUTF8 body: [UInt8]) -> [Embed] {
        guard body.containsBytes(markerStart) else { return [] }
        var seen: Set<Embed> = []
        return ArticleBody.blocks(fromUTF8: body).compactMap { block in
            guard block.html.starts(with: markerStart), let embed = Embed(marker: block.text), seen.insert(embed).inserted else {
                return nil
            }
            return embed
        }
    }

    /// What the post is called before and without a look-up: "Видео в YouTube", "Публикация в X".
    func defaultTitle(_ embed: Embed) -> String {
        let key: String
        switch embed.provider {
        case .youtube, .vimeo, .tiktok: key = "embed_video_title"
        case .spotify: key = "embed_audio_title"
        case .x, .facebook, .instagram: key = "embed_post_title"
        }
        return locale.format(key, ["provider": embed.provider.name])
    }

    /// The HTML for readers of an embed marker; nil for any other block.
    private func embed(_ block: String) -> String? {
        guard block.hasPrefix("<figure class=\"embed\""), let embed = Embed(marker: block) else { return nil }
        let preview = previews[embed]
        let title = preview.map(\.title).flatMap { $0.isEmpty ? nil : $0 } ?? defaultTitle(embed)
        let provider = HTML.escape(embed.provider.name)
        var html =
            "<figure class=\"embed embed-\(embed.provider.rawValue)\" data-frame=\"\(HTML.escape(embed.frameURL))\""
            + " data-load=\"\(HTML.escape(locale.format("embed_load", ["provider": embed.provider.name])))\">"
            + "<a class=\"embed-facade\" href=\"\(HTML.escape(embed.postURL))\" rel=\"noopener\">"
        if let preview, let thumbnail = preview.thumbnail {
            html += "<img class=\"embed-thumb\" src=\"\(thumbnail.path)\" alt=\"\""
            if preview.width > 0, preview.height > 0 { html += " width=\"\(preview.width)\" height=\"\(preview.height)\"" }
            html += " loading=\"lazy\" decoding=\"async\">"
        }
        html += "<span class=\"embed-provider\">\(provider)</span><span class=\"embed-title\">\(HTML.escape(title))</span>"
        if let author = preview?.author, !author.isEmpty { html += "<span class=\"embed-author\">\(HTML.escape(author))</span>" }
        html += "<span class=\"embed-action\">\(HTML.escape(locale.format("embed_open", ["provider": embed.provider.name])))</span>"
        return html + "</a></figure>"
    }

    /// A whole stored body with its embeds as plain links to the posts (feeds carry the body in one piece, and
    /// their readers run no script).
    func renderBody(_ html: String) -> String {
        guard html.contains("class=\"embed\"") else { return html }
        return ArticleBody.blocks(fromHTML: html).map { block in
            guard block.html.hasPrefix("<figure class=\"embed\""), let embed = Embed(marker: block.html) else { return block.html }
            let title = previews[embed].map(\.title).flatMap { $0.isEmpty ? nil : $0 } ?? defaultTitle(embed)
            return "<p><a href=\"\(HTML.escape(embed.postURL))\">\(HTML.escape(title))</a> (\(HTML.escape(embed.provider.name)))</p>"
        }.joined(separator: "\n")
    }
}
