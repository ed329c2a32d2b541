import Foundation

/// Turns Bulgarian headlines and names into ASCII URL slugs.
///
/// Canonical article, section, tag and author URLs must be stable, readable and
/// follow the official Bulgarian Transliteration Act (2009), which is what readers
/// and search engines expect from a Bulgarian daily: `Гърция и Македония` becomes
/// `gartsia-i-makedonia`, not a percent-encoded Cyrillic mess.
public enum Slug {
    /// Transliterates text to lowercase Latin, keeping everything that is not a letter
    /// (spaces, digits, punctuation) as it is.
    ///
    /// NFC-normalises and lowercases, applies the end-of-word `ия` → `ia` rule and the
    /// `България` → `bulgaria` exception, maps Cyrillic letters by the statutory table
    /// and folds Latin letters with diacritics (`é` → `e`).
    public static func transliterate(_ text: String) -> String {
        let lowered = text.precomposedStringWithCanonicalMapping.lowercased()
        var result = ""
        result.reserveCapacity(lowered.utf8.count)
        var word = ""
        for character in lowered {
            if character.isLetter {
                word.append(character)
            } else {
                result += transliterateWord(word)
                word = ""
                result.append(character)
            }
        }
        result += transliterateWord(word)
        return result
    }

    /// Makes a URL slug: the transliteration with every run of characters outside
    /// `[a-z0-9]` collapsed into a single `-`, and no leading or trailing `-`.
    /// Returns `""` when nothing usable is left.
    public static func make(_ text: String) -> String {
        // A slug already (every stored slug, checked again on each save): itself, without transliterating it.
        if isSlug(text) { return text }
        var slug = ""
        var pendingHyphen = false
        for scalar in transliterate(text).unicodeScalars {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                if pendingHyphen && !slug.isEmpty { slug.append("-") }
                pendingHyphen = false
                slug.unicodeScalars.append(scalar)
            } else {
                pendingHyphen = true
            }
        }
        return slug
    }

    /// Whether `text` is what `make` makes of it: runs of `[a-z0-9]` joined by single hyphens (ASCII lowercase letters
    /// and digits transliterate to themselves, and there is no run of other characters to collapse or trim).
    static func isSlug(_ text: String) -> Bool {
        var previous: UInt8 = UInt8(ascii: "-")
        for byte in text.utf8 {
            let alphanumeric =
                (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            guard alphanumeric || (byte == UInt8(ascii: "-") && previous != UInt8(ascii: "-")) else { return false }
            previous = byte
        }
        return previous != UInt8(ascii: "-")
    }

    /// Transliterates one lowercase word (a maximal run of letters).
    private static func transliterateWord(_ word: String) -> String {
        guard !word.isEmpty else { return "" }
        if word == "българия" { return "bulgaria" }
        if word.hasSuffix("ия") {
            return mapLetters(word.dropLast(2)) + "ia"
        }
        return mapLetters(Substring(word))
    }

    private static func mapLetters(_ letters: Substring) -> String {
        var out = ""
        for character in letters {
            if let latin = table[character] {
                out += latin
            } else {
                out += foldLatin(character)
            }
        }
        return out
    }

    /// Removes diacritics from non-Cyrillic letters (`é` → `e`, `ß` → `ss`).
    /// Letters with no ASCII form are kept and later become separators in `make`.
    private static func foldLatin(_ character: Character) -> String {
        if character.isASCII { return String(character) }
        if let special = latinSpecials[character] { return special }
        let decomposed = String(character).decomposedStringWithCanonicalMapping.unicodeScalars
        let base = decomposed.filter { $0.properties.generalCategory != .nonspacingMark }
        return base.isEmpty ? String(character) : String(String.UnicodeScalarView(base))
    }

    /// The Transliteration Act table (lowercase; input is lowercased first), plus `ѝ`.
    private static let table: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh",
        "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n",
        "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
        "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a", "ь": "y",
        "ю": "yu", "я": "ya", "ѝ": "i",
    ]

    /// Latin letters that do not decompose into a base letter plus marks.
    private static let latinSpecials: [Character: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d",
        "ł": "l", "þ": "th", "ı": "i",
    ]
}
