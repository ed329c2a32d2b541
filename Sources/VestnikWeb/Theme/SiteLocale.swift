import Foundation
import VestnikCore

/// Every word the public site shows, from a locale file (`locales/bg.json`, `locales/en.json`).
///
/// Templates read `strings` directly (`{{t.today_title}}`); texts with placeholders are filled in by view models.
public struct SiteLocale: Sendable, Decodable {
    /// BCP 47 language for `<html lang>` (`bg`).
    public var language: String
    /// Open Graph locale (`bg_BG`).
    public var ogLocale: String
    public var dates: DateVocabulary
    public var strings: [String: String]

    public static let available = ["bg", "en"]

    /// Loads `<code>.json` from `folder`, failing with the file's path in the message.
    public static func load(code: String, from folder: URL) throws -> SiteLocale {
        let url = folder.appendingPathComponent("\(code).json")
        do {
            return try JSONDecoder().decode(SiteLocale.self, from: Data(contentsOf: url))
        } catch {
            throw ThemeError("cannot load the locale \(url.path): \(error)")
        }
    }

    /// The string for `key`; a missing key shows itself, so a gap in a locale file is visible, not silent.
    public subscript(_ key: String) -> String { strings[key] ?? key }

    /// Fills `{name}` placeholders, in one pass over the text (a value is never searched for placeholders itself);
    /// a placeholder without a value stays as written.
    public func format(_ key: String, _ values: [String: String]) -> String {
        Placeholders.fill(self[key], values)
    }
}

/// The locale strings as templates see them (`{{t.key}}`, `{{layout.t.key}}`): made once per site, with its
/// `ViewFactory`, and shared by every page's layout. A class, as every `TemplateFields` is (see `TemplateValue`).
final class LocaleStrings: TemplateFields, Sendable {
    let strings: [String: String]
    /// `strings` by their key's `FieldKey.symbol`, nil for a symbol that is not a key: a lookup is an index, where
    /// the dictionary hashed the name each time (a dozen `{{layout.t.…}}` per page). A name interned after this was
    /// made has a symbol past the end, and is not a key.
    private let bySymbol: [String?]

    init(_ strings: [String: String]) {
        self.strings = strings
        let symbols = strings.map { (FieldNames.shared.symbol($0.key), $0.value) }
        var bySymbol = [String?](repeating: nil, count: (symbols.map(\.0).max() ?? -1) + 1)
        for (symbol, text) in symbols { bySymbol[symbol] = text }
        self.bySymbol = bySymbol
    }

    /// A key the locale lacks answers `.none`, so the lookup climbs on (as it did for a dictionary).
    func field(_ key: FieldKey) -> TemplateValue {
        guard key.symbol < bySymbol.count, let text = bySymbol[key.symbol] else { return .none }
        return .text(text)
    }
}
