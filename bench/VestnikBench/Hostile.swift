import Foundation
import Logging
import VestnikCore
import VestnikStore

// Hostile-text benchmark: what outside text can make one request cost (issue 27, findings 1, 2 and 4). Each case
// times, in-process on a release build, the call the site makes on that input: a search snippet of a body that is one
// word repeated, a query of one word repeated, the analyser and sanitizer over a 1 MB body, the revision diff of two
// 1 MB bodies, and searches over a database holding a huge draft. Timing lives here, never in unit tests.
//
//   vestnik-bench hostile [--database PATH|postgres://…] [--output FILE] [--runs N]

struct HostileOptions {
    var database = "/tmp/vestnik-hostile-bench.sqlite"
    var output: String?
    var runs = 3

    init(_ arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--database": database = iterator.next() ?? database
            case "--output": output = iterator.next()
            case "--runs": runs = max(1, Int(iterator.next() ?? "") ?? runs)
            default: break
            }
        }
    }
}

/// Milliseconds of the median of `runs` calls of `work`.
func medianMilliseconds(_ runs: Int, _ work: () async throws -> Void) async rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        try await work()
        let elapsed = ContinuousClock.now - start
        times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }
    return times.sorted()[times.count / 2]
}

/// About `bytes` of ordinary Bulgarian-looking prose: `<p>` paragraphs of `wordsPerParagraph` words, one per line.
func proseBody(bytes: Int, words: [String], wordsPerParagraph: Int = 60, seed: UInt64 = 7) -> String {
    var random = SplitMix(state: seed)
    var lines: [String] = []
    var size = 0
    while size < bytes {
        let line =
            "<p>" + (0..<wordsPerParagraph).map { _ in words[Int(random.next() % UInt64(words.count))] }.joined(separator: " ") + ".</p>"
        size += line.utf8.count + 1
        lines.append(line)
    }
    return lines.joined(separator: "\n")
}

func runHostile(_ arguments: [String]) async throws {
    let options = HostileOptions(arguments)
    var report: [String] = []
    func record(_ name: String, _ milliseconds: Double, _ note: String = "") {
        let line = String(format: "%-44@ %10.1f ms  %@", name as NSString, milliseconds, note)
        print(line)
        report.append(line)
    }
    let runs = options.runs
    let vocabulary = try demoWords()

    // Finding 1: a snippet of a body that is one word 200,000 times (every word a hit).
    let kq = SearchAnalyzer.term("kq")
    for count in [10_000, 40_000, 200_000] {
        let text = String(repeating: "kq ", count: count)
        var snippet = ""
        let ms = await medianMilliseconds(runs) { snippet = SearchSnippet.html(text, terms: [kq]) }
        record("snippet, \(count) hits", ms, "\(snippet.utf8.count) bytes out")
    }

    // Finding 2: a query of one word 166 times.
    let repeated = Array(repeating: "kq", count: 166).joined(separator: " ")
    var parsed: SearchQuery?
    let parseMS = await medianMilliseconds(runs) { parsed = try? SearchQuery.parse(repeated) }
    record("parse kq × 166", parseMS, "\(parsed?.required.count ?? 0) required clauses")

    // Finding 2 and the indexer: the analyser over a 1 MB body.
    let prose = proseBody(bytes: 1_000_000, words: vocabulary)
    var termCount = 0
    let plainProse = ArticleBody.plainText(prose)
    let analyseMS = await medianMilliseconds(runs) { termCount = SearchAnalyzer.terms(plainProse).count }
    record("analyser, 1 MB prose", analyseMS, "\(termCount) terms")
    let plainMS = await medianMilliseconds(runs) { _ = ArticleBody.plainText(prose) }
    record("plainText, 1 MB prose", plainMS)

    // Finding 4: a contributor's preview and save sanitise the posted body; bodies of 1 MB in several shapes.
    let oneParagraph = String(repeating: "дума ", count: 200_000)
    let shapes: [(String, String)] = [
        ("prose paragraphs", prose),
        ("one paragraph, no tags", oneParagraph),
        (
            "<b> nested 48 deep, repeated",
            String(repeating: String(repeating: "<b>", count: 48) + "x" + String(repeating: "</b>", count: 48), count: 1_000_000 / 400)
        ),
        ("<br> × 250,000", String(repeating: "<br>", count: 250_000)),
        ("'a<b ' × 200,000", String(repeating: "a<b ", count: 250_000)),
        ("'<a href=x>' × 100,000", String(repeating: "<a href=x>y", count: 90_000)),
        ("&amp; × 200,000", String(repeating: "&amp;", count: 200_000)),
        ("blockquote nested 48 deep", String(repeating: "<blockquote>", count: 48) + oneParagraph),
    ]
    for (name, body) in shapes {
        var out = 0
        let ms = await medianMilliseconds(runs) { out = BodySanitizer.sanitize(body).utf8.count }
        record("sanitize, \(name)", ms, "\(body.utf8.count) bytes in, \(out) out")
    }

    // Finding 4: the revision diff of two 1 MB bodies that differ in every other paragraph (as RevisionDiff reads them).
    let other = proseBody(bytes: 1_000_000, words: vocabulary, seed: 8)
    let changed = zip(prose.split(separator: "\n"), other.split(separator: "\n")).enumerated()
        .map { $0.offset % 2 == 0 ? $0.element.0 : $0.element.1 }.joined(separator: "\n")
    func bodyLines(_ html: String) -> [String] {
        ArticleBody.blocks(fromHTML: html).map { ArticleBody.plainText($0.html) }.filter { !$0.isEmpty }
    }
    var diffCount = 0
    let diffMS = await medianMilliseconds(runs) { diffCount = LineDiff.lines(bodyLines(prose), bodyLines(changed)).count }
    record("revision diff, 1 MB, every other paragraph", diffMS, "\(diffCount) lines")

    // Finding 2: searches over a database that holds a contributor's draft of "kq " × 300,000 and a published body
    // of "kq " × 200,000 (finding 1), besides some ordinary articles.
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    if !options.database.contains("://") { try? FileManager.default.removeItem(atPath: options.database) }
    let database = try await Database.open(DatabaseLocation(options.database), logger: logger)
    try await Migrator().migrate(database)
    let repository = ArticleRepository(database: database)
    let now = Date(timeIntervalSince1970: 1_795_600_800)
    if try await repository.count() == 0 {
        var inputs = (0..<50).map { index in
            ArticleInput(
                slug: "obiknovena-\(index)", title: "Обикновена статия \(index)", lead: "Кратко въведение.",
                bodyHTML: proseBody(bytes: 3_000, words: vocabulary, seed: UInt64(index)), section: "България",
                publishedAt: now.addingTimeInterval(-Double(index) * 600))
        }
        inputs.append(
            ArticleInput(
                slug: "chernova", title: "Чернова", lead: "", bodyHTML: "<p>" + String(repeating: "kq ", count: 300_000) + "</p>",
                section: "България", status: .draft, publishedAt: now))
        inputs.append(
            ArticleInput(
                slug: "publikuvana", title: "Публикувана", lead: "", bodyHTML: "<p>" + String(repeating: "kq ", count: 200_000) + "</p>",
                section: "България", publishedAt: now.addingTimeInterval(-60)))
        let saveMS = try await medianMilliseconds(1) { try await repository.saveAll(inputs, now: now) }
        record("save 50 articles + 1 MB draft + 600 KB article", saveMS)
    }
    let search = SearchRepository(database: database)
    let dialect = database.dialect == .sqlite ? "SQLite" : "PostgreSQL"
    for (name, text, filters) in [
        ("public, kq × 166", repeated, SearchFilters()),
        ("public, kq", "kq", SearchFilters()),
        ("newsroom, kq × 166", repeated, SearchFilters(includeUnpublished: true)),
    ] {
        guard let query = try? SearchQuery.parse(text) else { continue }
        var hits = 0
        let ms = try await medianMilliseconds(runs) {
            // As the search page does: the page of results, then a snippet of each.
            let page = try await search.search(query, filters: filters, page: PageRequest(number: 1, size: 10), now: now)
            hits = page.items.map { SearchSnippet.html($0.text, terms: query.highlightTerms) }.count
        }
        record("\(dialect) search + snippets, \(name)", ms, "\(hits) results")
    }
    await database.close()

    let header =
        "# hostile text, \(ISO8601DateFormatter().string(from: Date())), \(ProcessInfo.processInfo.activeProcessorCount) cores, median of \(runs)"
    if let output = options.output {
        let text = ([header] + report).joined(separator: "\n") + "\n\n"
        if let handle = FileHandle(forWritingAtPath: output) {
            handle.seekToEndOfFile()
            handle.write(Data(text.utf8))
            try handle.close()
        } else {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
        }
        print("written to \(output)")
    }
}
