/// The light Bulgarian stemmer of Savoy (as in Lucene's `BulgarianStemmer`), exactly as REFERENCE §3 gives it.
///
/// It strips the definite article and plural endings so that градовете, градът and града meet at град. It expects
/// one lowercase word.
public enum BulgarianStemmer {
    public static func stem(_ word: String) -> String {
        var s = Array(word)
        var n = s.count
        if n < 4 { return word }
        if n > 5 && ends(s, n, "ища") { return String(s[0..<(n - 3)]) }
        n = removeArticle(s, n)
        n = removePlural(&s, n)
        if n > 3 {
            if ends(s, n, "я") { n -= 1 }
            if ends(s, n, "а") || ends(s, n, "о") || ends(s, n, "е") { n -= 1 }
        }
        if n > 4 && ends(s, n, "ен") {
            s[n - 2] = "н"
            n -= 1
        }
        if n > 5 && s[n - 2] == "ъ" {
            s[n - 2] = s[n - 1]
            n -= 1
        }
        return String(s[0..<n])
    }

    private static func removeArticle(_ s: [Character], _ n: Int) -> Int {
        if n > 6 && ends(s, n, "ият") { return n - 3 }
        if n > 5 && (ends(s, n, "ът") || ends(s, n, "то") || ends(s, n, "те") || ends(s, n, "та") || ends(s, n, "ия")) {
            return n - 2
        }
        if n > 4 && ends(s, n, "ят") { return n - 2 }
        return n
    }

    private static func removePlural(_ s: inout [Character], _ n: Int) -> Int {
        if n > 6 {
            if ends(s, n, "овци") { return n - 3 }
            if ends(s, n, "ове") { return n - 3 }
            if ends(s, n, "еве") {
                s[n - 3] = "й"
                return n - 2
            }
        }
        if n > 5 {
            if ends(s, n, "ища") { return n - 3 }
            if ends(s, n, "та") { return n - 2 }
            if ends(s, n, "ци") {
                s[n - 2] = "к"
                return n - 1
            }
            if ends(s, n, "зи") {
                s[n - 2] = "г"
                return n - 1
            }
            if s[n - 3] == "е" && s[n - 1] == "и" {
                s[n - 3] = "я"
                return n - 1
            }
        }
        if n > 4 {
            if ends(s, n, "си") {
                s[n - 2] = "х"
                return n - 1
            }
            if ends(s, n, "и") { return n - 1 }
        }
        return n
    }

    private static func ends(_ s: [Character], _ n: Int, _ suffix: String) -> Bool {
        let tail = Array(suffix)
        guard n >= tail.count else { return false }
        return Array(s[(n - tail.count)..<n]) == tail
    }
}
