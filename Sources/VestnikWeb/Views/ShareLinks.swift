import Foundation
import VestnikCore

extension ViewFactory {
    /// The share links of an article at `url` (absolute) titled `title`: each service's own share address, so
    /// sharing needs no script of theirs on our pages and tells them nothing until the reader clicks.
    func share(url: String, title: String) -> ShareView {
        func encoded(_ text: String) -> String { FormURLEncoding.encodeQueryValue(text) }
        let u = encoded(url)
        let t = encoded(title)
        let both = encoded(title + " " + url)
        return ShareView(
            heading: locale["share_label"], url: url, title: title,
            links: [
                ShareLink(name: "Facebook", href: "https://www.facebook.com/sharer/sharer.php?u=\(u)"),
                ShareLink(name: "X", href: "https://x.com/intent/post?url=\(u)&text=\(t)"),
                ShareLink(name: "Viber", href: "viber://forward?text=\(both)"),
                ShareLink(name: "WhatsApp", href: "https://wa.me/?text=\(both)"),
                ShareLink(name: "Telegram", href: "https://t.me/share/url?url=\(u)&text=\(t)"),
                ShareLink(name: locale["share_email"], href: "mailto:?subject=\(t)&body=\(u)"),
            ],
            copy: locale["share_copy"], copied: locale["share_copied"], native: locale["share_native"], script: shareScriptURL)
    }
}
