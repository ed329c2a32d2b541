/// Forms of common news words that the Hunspell dictionary lists as words of their own (or not at all), so its
/// affix rules cannot lead them to their lemma: деца is not found from дете, nor хора from човек. Written by hand for
/// Vestnik; each form's lemmas are added to what the dictionary says of it.
enum BulgarianIrregulars {
    static let lemmasOfForm: [String: [String]] = {
        var table: [String: [String]] = [:]
        for (lemma, forms) in formsOfLemma {
            for form in forms { table[form, default: []].append(lemma) }
        }
        return table
    }()

    static let formsOfLemma: [String: [String]] = [
        "дете": ["детето", "деца", "децата"],
        "път": ["пътя", "пътят", "пътища", "пътищата"],
        "човек": ["човека", "човекът", "хора", "хората"],
        "жена": ["жени", "жените"],
        "око": ["окото", "очи", "очите"],
        "ухо": ["ухото", "уши", "ушите"],
        "ръка": ["ръката", "ръце", "ръцете"],
        "брат": ["брата", "братът", "братя", "братята"],
        "ден": ["деня", "денят", "дни", "дните", "дена"],
        "цвете": ["цветето", "цветя", "цветята"],
        "лято": ["лятото", "лета", "летата"],
        "мярка": ["мярката", "мерки", "мерките"],
    ]
}
