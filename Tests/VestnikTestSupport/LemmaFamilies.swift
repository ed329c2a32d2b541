import Foundation
import VestnikCore

// The judged lemma families of issue 26 (bench/search/lemma-families.txt), for the tests and `VestnikBench lemmas`.

/// The families file: lemmas by section, hand-written families after `= checked`, confusable pairs after `= confusable`.
public struct LemmaFamilies: Sendable {
    public var lemmas: [String] = []
    public var checked: [[String]] = []
    public var confusable: [[String]] = []

    /// The committed set: bench/search/lemma-families.txt.
    public static var committedPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("bench/search/lemma-families.txt").path
    }

    public init(path: String = committedPath) throws {
        var section = ""
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("#") { continue }
            if line.hasPrefix("= ") {
                section = String(line.dropFirst(2))
                continue
            }
            let words = line.split(separator: " ").map { $0.lowercased() }
            guard !words.isEmpty else { continue }
            switch section {
            case "checked": checked.append(words)
            case "confusable": confusable.append(words)
            default: for word in words where !lemmas.contains(word) { lemmas.append(word) }
            }
        }
    }
}

public struct LemmaScores: Sendable {
    public var pairs = 0
    public var found = 0
    public var wrong = 0
    public var recall: Double { Double(found) / Double(max(1, pairs)) }
    public var precision: Double { Double(found) / Double(max(1, found + wrong)) }
}

/// Scores `analyzer` on `families` (each a lemma's forms), against every form of `universe` for precision.
public func scoreLemmas(
    _ analyzer: SearchAnalyzer, families: [(lemma: String, forms: [String])], universe: [String], lexicon: BulgarianLexicon
)
    -> LemmaScores
{
    // Every dictionary form by the term this analyser gives it, with the form's lemmas.
    var formsOfTerm: [String: [(form: String, lemmas: Set<String>)]] = [:]
    for form in universe { formsOfTerm[analyzer.term(form), default: []].append((form, Set(lexicon.lemmas(of: form)))) }
    var scores = LemmaScores()
    for family in families {
        let analysed = family.forms.map { analyzer.analyse($0) }
        for (q, query) in analysed.enumerated() {
            let wanted = Set(analyzer.alternatives(query))
            for (d, document) in analysed.enumerated() where d != q {
                scores.pairs += 1
                if wanted.contains(document.term) { scores.found += 1 }
            }
            let mine = Set(lexicon.lemmas(of: family.forms[q]))
            for term in wanted {
                for other in formsOfTerm[term] ?? [] where other.lemmas.isDisjoint(with: mine) { scores.wrong += 1 }
            }
        }
    }
    return scores
}
