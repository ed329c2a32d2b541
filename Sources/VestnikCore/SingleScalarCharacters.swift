extension Unicode.Scalar {
    /// Whether this scalar is a character of its own whatever stands next to it, in the ranges nearly every news text
    /// keeps to: Latin letters and their accents' precomposed forms, Cyrillic, punctuation and spaces (no zero-width
    /// joiners), currency and letter-like signs. No combining marks, joiners, emoji or other scripts, so a text made
    /// only of these can be read scalar by scalar (or searched byte by byte for one of them) and meet exactly what a
    /// reading by `Character`s meets. The fast paths of `SearchAnalyzer.words`, the sanitizer's space collapsing and
    /// the WordPress importer's shortcode search rely on it.
    public var standsAlone: Bool {
        switch value {
        case 0...0x2FF, 0x400...0x45F, 0x2000...0x200B, 0x200E...0x206F, 0x20A0...0x20BF, 0x2100...0x214F: true
        default: false
        }
    }
}
