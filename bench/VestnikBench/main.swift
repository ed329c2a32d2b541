import Foundation
import Logging
import VestnikCore
import VestnikDemo
import VestnikStore

// Search benchmark: fills a database with a generated corpus (words drawn from the demo site's own text, so the
// analyser sees real Bulgarian), then measures search latency in-process, as the search page would call it.
//
//   vestnik-bench search --database PATH|postgres://… --articles 100000 --queries 2000 --output FILE
//
// `vestnik-bench hostile` is the hostile-text benchmark (Hostile.swift, bench/hostile-text.sh); `vestnik-bench
// renditions` the picture renditions' (Renditions.swift, bench/renditions.sh).

struct Options {
    var database = "/tmp/vestnik-search-bench.sqlite"
    var articles = 100_000
    var queries = 2_000
    var output: String?
    /// Rebuild the whole index first (`SearchRebuild`), and time it.
    var reindex = false
    /// Print this many of the slowest queries (time, matches, text, terms), and p95 by kind of query.
    var slowest = 0
    /// Instead of the generated mix, the judged queries of this file (bench/search/judgments.json), each asked
    /// `queries` ÷ their number times in turn: the set issue 20's search target names.
    var judged: String?

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--database": database = iterator.next() ?? database
            case "--articles": articles = Int(iterator.next() ?? "") ?? articles
            case "--queries": queries = Int(iterator.next() ?? "") ?? queries
            case "--output": output = iterator.next()
            case "--reindex": reindex = true
            case "--slowest": slowest = Int(iterator.next() ?? "") ?? slowest
            case "--judged": judged = iterator.next()
            default: break
            }
        }
    }
}

/// A small deterministic generator, so that every run builds the same corpus.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func demoWords() throws -> [String] {
    var words: [String] = []
    for file in try FileManager.default.contentsOfDirectory(at: DemoContent.directory, includingPropertiesForKeys: nil)
    where file.pathExtension == "md" {
        let text = try String(contentsOf: file, encoding: .utf8)
        words += text.split(whereSeparator: { !$0.isLetter }).map(String.init).filter { $0.count > 2 }
    }
    return words
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "hostile" {
    try await runHostile(Array(arguments.dropFirst()))
    exit(0)
}
if arguments.first == "renditions" {
    try runRenditions(Array(arguments.dropFirst()))
    exit(0)
}
if arguments.first == "lemmas" {
    try runLemmas(Array(arguments.dropFirst()))
    exit(0)
}
guard arguments.first == "search" else {
    print("usage: vestnik-bench search --database PATH|postgres://… --articles N --queries N --output FILE [--reindex] [--judged FILE]")
    print("       vestnik-bench lemmas [--families FILE] [--output FILE]")
    print("       vestnik-bench hostile [--database PATH|postgres://…] [--output FILE] [--runs N]")
    print("       vestnik-bench renditions one|job --input FILE [--width N] [--runs N]")
    exit(2)
}
let options = Options(Array(arguments.dropFirst()))
var logger = Logger(label: "bench")
logger.logLevel = .warning
let database = try await Database.open(DatabaseLocation(options.database), logger: logger)
try await Migrator().migrate(database)
let repository = ArticleRepository(database: database)
let vocabulary = try demoWords()
var random = SplitMix(state: 42)
let now = Date(timeIntervalSince1970: 1_795_600_800)
let sections = ["България", "Свят", "Икономика", "Спорт", "Култура", "Технологии"]

/// A word, with the Zipf-like skew of real text: a few words are everywhere, most are rare.
@MainActor func word() -> String {
    let u = Double.random(in: 0..<1, using: &random)
    return vocabulary[min(vocabulary.count - 1, Int(pow(u, 2.2) * Double(vocabulary.count)))]
}

let existing = try await repository.count()
let start = Date()
var batch: [ArticleInput] = []
if existing < options.articles {
    for index in existing..<options.articles {
        let title = (0..<8).map { _ in word() }.joined(separator: " ")
        let paragraphs = (0..<5).map { _ in "<p>" + (0..<30).map { _ in word() }.joined(separator: " ") + ".</p>" }
        let input = ArticleInput(
            slug: "statia-\(index)", title: title.capitalized, lead: (0..<25).map { _ in word() }.joined(separator: " "),
            bodyHTML: paragraphs.joined(separator: "\n"), section: sections[index % sections.count],
            tags: [word(), word()], authors: [.init(name: "Автор \(index % 40)")],
            publishedAt: now.addingTimeInterval(-Double(index) * 600))
        batch.append(input)
        if batch.count == 500 || index == options.articles - 1 {
            try await repository.saveAll(batch, now: now)
            batch.removeAll()
        }
        if (index + 1) % 10_000 == 0 {
            print("generated \(index + 1) articles in \(Int(Date().timeIntervalSince(start))) s")
        }
    }
}

var notes: [String] = ["analyser \(SearchAnalyzer.shared.identity)"]
if options.reindex {
    let rebuild = SearchRebuild(database: database)
    try await rebuild.schedule()
    let clock = ContinuousClock.now
    try await rebuild.run()
    notes.append("reindex \(try await repository.count()) articles \(ContinuousClock.now - clock)")
}
let sizes = try await SearchRepository(database: database).indexBytes()
notes.append(
    sizes.isEmpty
        ? "index size unknown (SQLite without dbstat)" : "index " + sizes.map { "\($0.name) \($0.bytes >> 10) KiB" }.joined(separator: ", ")
)

// The query mix: one to three words, some in quotes, some with an exclusion, a few in Latin letters.
let search = SearchRepository(database: database)
var latencies: [Double] = []
var totalHits = 0
/// Each query's time, matches, text and kind (phrase, exclusion, words), for `--slowest`.
var timed: [(ms: Double, total: Int, text: String, kind: String)] = []
/// The judged queries' texts, when asked for.
struct Judgments: Decodable {
    struct Query: Decodable { var q: String }
    var queries: [Query]
}
let judgedTexts = try options.judged.map { path in
    try JSONDecoder().decode(Judgments.self, from: Data(contentsOf: URL(fileURLWithPath: path))).queries.map(\.q)
}
if let judgedTexts { notes.append("judged queries of \(options.judged ?? ""): \(judgedTexts.count), in turn") }
for number in 0..<options.queries {
    var text: String
    if let judgedTexts {
        text = judgedTexts[number % judgedTexts.count]
    } else {
        text = (0..<(1 + number % 3)).map { _ in word() }.joined(separator: " ")
        if number % 7 == 0 { text = "\"\(text)\"" }
        if number % 11 == 0 { text += " -\(word())" }
        if number % 13 == 0 { text = Slug.transliterate(text) }
    }
    guard let query = try? SearchQuery.parse(text) else { continue }
    let clock = ContinuousClock.now
    let page = try await search.search(query, page: PageRequest(number: 1, size: 10), now: now)
    let elapsed = ContinuousClock.now - clock
    latencies.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
    totalHits += page.total
    if options.slowest > 0 {
        let phrase = query.required.contains { if case .phrase(let words) = $0 { words.count > 1 } else { false } }
        let kind = (phrase ? "phrase" : "\(query.required.count) word(s)") + (query.excluded.isEmpty ? "" : " -exclusion")
        let terms = query.required.map { clause -> String in
            switch clause {
            case .term(let word): return "(" + word.terms.joined(separator: "|") + ")"
            case .phrase(let words): return "\"" + words.map { "(" + $0.terms.joined(separator: "|") + ")" }.joined(separator: " ") + "\""
            }
        }
        timed.append((latencies[latencies.count - 1], page.total, text + "  " + terms.joined(separator: " & "), kind))
    }
}
latencies.sort()
if options.slowest > 0 {
    for kind in Set(timed.map(\.kind)).sorted() {
        let times = timed.filter { $0.kind == kind }.map(\.ms).sorted()
        print(
            String(
                format: "%@: %d queries, p50 %.2f ms, p95 %.2f ms, max %.2f ms", kind, times.count,
                percentile(times, 0.5), percentile(times, 0.95), times.last ?? 0))
    }
    for entry in timed.sorted(by: { $0.ms > $1.ms }).prefix(options.slowest) {
        print(String(format: "%9.2f ms %6d matches  ", entry.ms, entry.total) + entry.text)
    }
    // A query asked more than once (the judged set, in turn): its median, which a first (cold) run does not move.
    let byText = Dictionary(grouping: timed, by: \.text).filter { $0.value.count > 1 }
    if !byText.isEmpty { print("slowest by median of each query's runs:") }
    let runsByText = byText.map { ($0.key, $0.value.map(\.ms).sorted()) }
    for (text, runs) in runsByText.sorted(by: { percentile($0.1, 0.5) > percentile($1.1, 0.5) }).prefix(options.slowest) {
        let median = percentile(runs, 0.5)
        print(String(format: "%9.2f ms median, %9.2f ms p95 of %d runs  ", median, percentile(runs, 0.95), runs.count) + text)
    }
}
let report =
    String(
        format: "%@ | %d articles | %d queries | p50 %.2f ms | p95 %.2f ms | p99 %.2f ms | max %.2f ms | mean hits %d",
        database.dialect == .sqlite ? "SQLite" : "PostgreSQL", try await repository.count(), latencies.count,
        percentile(latencies, 0.5), percentile(latencies, 0.95), percentile(latencies, 0.99), latencies.last ?? 0,
        totalHits / max(1, latencies.count)) + " | " + notes.joined(separator: " | ")
print(report)
if let output = options.output {
    let line = report + "\n"
    if let handle = FileHandle(forWritingAtPath: output) {
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try handle.close()
    } else {
        try line.write(toFile: output, atomically: true, encoding: .utf8)
    }
}
await database.close()
