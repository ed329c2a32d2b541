import Testing
@testable import VestnikCore

@Suite struct SlugTests {
    @Test(arguments: [
        // The examples of REFERENCE §2.
        ("Ким Чен-ун се среща с Путин", "kim-chen-un-se-sreshta-s-putin"),
        ("Северна Корея", "severna-koreya"),
        ("щастие", "shtastie"),
        ("Гърция и Македония", "gartsia-i-makedonia"),
        ("„Шеста“ поправка: 5% ръст", "shesta-popravka-5-rast"),
        // The `ия` rule: at the end of a word only.
        ("София", "sofia"),
        ("Вилияна", "viliyana"),
        ("Мария-Антоанета", "maria-antoaneta"),
        ("История, химия и биология", "istoria-himia-i-biologia"),
        ("ия", "ia"),
        // България and its derivatives.
        ("България", "bulgaria"),
        ("БЪЛГАРИЯ", "bulgaria"),
        ("българия", "bulgaria"),
        ("Новини от България.", "novini-ot-bulgaria"),
        ("българският", "balgarskiyat"),
        ("Българин", "balgarin"),
        ("Българияна", "balgariyana"),
        // Letters, uppercase included.
        ("Ямбол", "yambol"),
        ("Щъркел", "shtarkel"),
        ("Ж", "zh"),
        ("ЖИВОТ", "zhivot"),
        ("Юлия", "yulia"),
        ("Цветан Цветков", "tsvetan-tsvetkov"),
        ("Чешма", "cheshma"),
        ("Шуменско", "shumensko"),
        ("Хасково", "haskovo"),
        ("Йордан Гьоков", "yordan-gyokov"),
        ("абвгдежзийклмнопрстуфхцчшщъьюя", "abvgdezhziyklmnoprstufhtschshshtayyuya"),
        ("ѝ", "i"),
        ("Ѝ", "i"),
        // Digits and punctuation.
        ("2023", "2023"),
        ("Covid-19: 1 200 нови случая", "covid-19-1-200-novi-sluchaya"),
        ("  --Изборите 2024--  ", "izborite-2024"),
        ("Кой? Какво!!! Кога…", "koy-kakvo-koga"),
        // Latin text and diacritics.
        ("Emmanuel Macron", "emmanuel-macron"),
        ("Café Müller à Paris", "cafe-muller-a-paris"),
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        // Nothing usable.
        ("", ""),
        ("   ", ""),
        ("!?—…", ""),
        ("日本", ""),
    ])
    func make(input: String, expected: String) {
        #expect(Slug.make(input) == expected)
    }

    @Test func decomposedInputIsNormalisedFirst() {
        // "й" written as "и" + combining breve, and "ѝ" as "и" + combining grave.
        #expect(Slug.make("Майка") == "mayka")
        #expect(Slug.make("Ма\u{0438}\u{0306}ка") == "mayka")
        #expect(Slug.make("\u{0438}\u{0300}") == "i")
        #expect(Slug.make("Cafe\u{0301}") == "cafe")
    }

    @Test func transliterateKeepsNonLetters() {
        #expect(Slug.transliterate("Ким Чен-ун, 2023!") == "kim chen-un, 2023!")
        #expect(Slug.transliterate("Мария-Антоанета") == "maria-antoaneta")
        #expect(Slug.transliterate("БЪЛГАРИЯ и Гърция") == "bulgaria i gartsia")
    }
}
