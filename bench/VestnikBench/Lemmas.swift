import Foundation
import VestnikCore
import VestnikTestSupport

// The judged lemma families (bench/search/lemma-families.txt) measured with the light stemmer and with the
// dictionary, side by side: recall (a query in one form finds a text with another form of the same word) and
// precision (what a query form finds among every form the dictionary knows, counting as wrong the forms of words
// that share no lemma with it). Also the dictionary's load time and the table's size.
//
//   vestnik-bench lemmas [--families bench/search/lemma-families.txt] [--output FILE]

func runLemmas(_ arguments: [String]) throws {
    var path = "bench/search/lemma-families.txt"
    var output: String?
    var iterator = arguments.makeIterator()
    while let argument = iterator.next() {
        if argument == "--families" { path = iterator.next() ?? path }
        if argument == "--output" { output = iterator.next() }
    }
    let before = residentBytes()
    let start = Date()
    guard let lexicon = BulgarianDictionary.load(nil).lexicon else {
        print("no dictionary at \(BulgarianDictionary.defaultPath): apt-get install hunspell-bg")
        exit(1)
    }
    let loadSeconds = Date().timeIntervalSince(start)
    let grown = residentBytes() - before
    let judged = try LemmaFamilies(path: path)
    var families: [(lemma: String, forms: [String])] = []
    var unknown: [String] = []
    for lemma in judged.lemmas {
        let forms = lexicon.forms(of: lemma)
        if forms.isEmpty { unknown.append(lemma) } else { families.append((lemma, forms)) }
    }
    var universe: [String] = []
    lexicon.forEachForm { universe.append($0) }
    let new = SearchAnalyzer(lexicon: lexicon)
    var lines = [
        String(
            format: "dictionary: %d words, %d forms, table %.1f MiB, process grew %.1f MiB, loaded in %.2f s",
            lexicon.wordCount, lexicon.formCount, Double(lexicon.tableBytes) / 1_048_576, Double(grown) / 1_048_576, loadSeconds),
        "judged: \(families.count) lemma families, \(families.reduce(0) { $0 + $1.forms.count }) forms; "
            + "not in the dictionary: \(unknown.isEmpty ? "none" : unknown.joined(separator: " "))",
    ]
    for (name, analyzer) in [("light stemmer", SearchAnalyzer.light), ("dictionary", new)] {
        let scores = scoreLemmas(analyzer, families: families, universe: universe, lexicon: lexicon)
        let checked = judged.checked.reduce((0, 0)) { total, family in
            let terms = family.map { analyzer.term($0) }
            var found = 0
            for (q, query) in family.enumerated() {
                let wanted = Set(analyzer.alternatives(analyzer.analyse(query)))
                found += terms.indices.filter { $0 != q && wanted.contains(terms[$0]) }.count
            }
            return (total.0 + family.count * (family.count - 1), total.1 + found)
        }
        let confused = judged.confusable.filter { pair in
            let wanted = Set(analyzer.alternatives(analyzer.analyse(pair[0])))
            return pair.dropFirst().contains { wanted.contains(analyzer.term($0)) }
        }
        lines.append(
            String(
                format:
                    "%@: recall %.3f (%d of %d form pairs), precision %.3f (%d wrong forms matched); hand-checked recall %d of %d; confusable pairs matched %d of %d",
                name, scores.recall, scores.found, scores.pairs, scores.precision, scores.wrong, checked.1, checked.0, confused.count,
                judged.confusable.count))
    }
    for line in lines { print(line) }
    if let output { try (lines.joined(separator: "\n") + "\n").write(toFile: output, atomically: true, encoding: .utf8) }
}

/// The process's resident memory (Linux /proc), 0 elsewhere.
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
        let kib = Int(line.split(separator: " ").dropFirst().first ?? "")
    else { return 0 }
    return kib * 1024
}
