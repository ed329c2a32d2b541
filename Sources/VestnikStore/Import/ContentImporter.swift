import Foundation
import VestnikCore
import Yams

/// Imports content files into the database: one Markdown file or a folder of them (with an optional `site.yaml`
/// describing sections, topics and authors). Idempotent: a file whose slug exists updates that article.
public struct ContentImporter: Sendable {
    public struct Failure: Sendable, Equatable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    public struct Report: Sendable {
        public var created: [String] = []
        public var updated: [String] = []
        public var failures: [Failure] = []
        public var succeeded: Bool { failures.isEmpty }
    }

    let articles: ArticleRepository
    let taxonomy: TaxonomyRepository

    public init(database: Database) {
        articles = ArticleRepository(database: database)
        taxonomy = TaxonomyRepository(database: database)
    }

    /// Imports `url`. With `rebaseTo`, all dates are shifted by one amount so that the newest article is published
    /// at that moment (how the demo site stays current).
    public func importContent(at url: URL, rebaseTo: Date? = nil, now: Date = Date()) async throws -> Report {
        var report = Report()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            report.failures.append(Failure(path: url.path, reason: "no such file or folder"))
            return report
        }
        var files: [URL] = [url]
        var pins: [(topic: String, article: String)] = []
        if isDirectory.boolValue {
            let site = url.appendingPathComponent("site.yaml")
            if FileManager.default.fileExists(atPath: site.path) {
                do {
                    pins = try await applySiteFile(site)
                } catch {
                    report.failures.append(Failure(path: site.path, reason: "\(error)"))
                }
            }
            files = Self.markdownFiles(in: url)
        }
        var parsed: [(path: String, input: ArticleInput)] = []
        for file in files {
            do {
                let text = try String(contentsOf: file, encoding: .utf8)
                parsed.append((file.path, try ContentFile.parse(text, now: now)))
            } catch let error as InvalidInput {
                report.failures.append(Failure(path: file.path, reason: error.description))
            } catch {
                report.failures.append(Failure(path: file.path, reason: "cannot read the file as UTF-8 text (\(error))"))
            }
        }
        if let rebaseTo, let newest = parsed.map(\.input.publishedAt).max() {
            let shift = rebaseTo.timeIntervalSince(newest)
            for index in parsed.indices { parsed[index].input.publishedAt.addTimeInterval(shift) }
        }
        for (path, input) in parsed {
            do {
                switch try await ArticleWriteService(database: articles.database).importArticle(input, now: now, refreshRelated: false) {
                case .created: report.created.append(path)
                case .updated: report.updated.append(path)
                }
            } catch {
                report.failures.append(Failure(path: path, reason: "\(error)"))
            }
        }
        for (topic, slug) in pins {
            do {
                try await taxonomy.pin(articleSlug: slug, toTopic: Slug.make(topic))
            } catch {
                report.failures.append(Failure(path: url.appendingPathComponent("site.yaml").path, reason: "\(error)"))
            }
        }
        if !report.created.isEmpty || !report.updated.isEmpty {
            try await RelatedArticles(database: articles.database).refreshAll(now: now)
        }
        return report
    }

    static func markdownFiles(in folder: URL) -> [URL] {
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        var files: [URL] = []
        while let item = enumerator?.nextObject() as? URL {
            let name = item.lastPathComponent
            if ["md", "markdown"].contains(item.pathExtension.lowercased()), name.lowercased() != "readme.md" {
                files.append(item)
            }
        }
        return files.sorted { $0.path < $1.path }
    }

    /// `site.yaml`: `sections` (in home-page order), `topics` and `authors`, each a list of maps. Returns the topics'
    /// `pinned` article slugs, applied once the articles exist.
    func applySiteFile(_ url: URL) async throws -> [(topic: String, article: String)] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let loaded: Any?
        do { loaded = try Yams.load(yaml: text) } catch { throw InvalidInput(ContentFile.yamlMessage("\(error)", firstLine: 1)) }
        guard let site = loaded as? [String: Any] else { throw InvalidInput("site.yaml must be a map") }
        func entries(_ key: String) throws -> [[String: Any]] {
            guard let value = site[key] else { return [] }
            guard let list = value as? [[String: Any]] else { throw InvalidInput("\(key) must be a list of maps") }
            return list
        }
        func name(_ entry: [String: Any], _ key: String) throws -> String {
            guard let name = entry["name"] as? String, !name.isEmpty else { throw InvalidInput("every entry of \(key) needs a name") }
            return name
        }
        for (index, entry) in try entries("sections").enumerated() {
            try await taxonomy.saveSection(
                name: try name(entry, "sections"), description: entry["description"] as? String, position: index + 1)
        }
        var pins: [(topic: String, article: String)] = []
        for entry in try entries("topics") {
            let topic = try name(entry, "topics")
            try await taxonomy.saveTopic(name: topic, description: entry["description"] as? String)
            if let pinned = entry["pinned"] as? String { pins.append((topic, pinned)) }
        }
        for entry in try entries("authors") {
            try await taxonomy.saveAuthor(
                name: try name(entry, "authors"), role: entry["role"] as? String, bio: entry["bio"] as? String)
        }
        return pins
    }
}
