import Foundation

/// The "Още:" blocks of one article as its journalist arranged them in the editor: where each block stands, which
/// links are hand-picked (or automatic links pinned), which are left to the ranking, and which automatic links were
/// removed. An article without one (`nil`) gets the site's automatic layout (`InlineMoreBlocks`), every link chosen by
/// the ranking (`RelatedArticles`).
///
/// Stored as JSON (`json`, the `more_links` column and the revision's `ArticleInput`), read back through
/// `init(json:)`, which refuses anything malformed and caps every list.
public struct MoreLinks: Sendable, Equatable, Hashable, Codable {
    public struct Block: Sendable, Equatable, Hashable, Codable {
        /// After which paragraph the block stands (1-based, counted among paragraphs only, as `InlineMoreBlocks`).
        public var after: Int
        /// Its links in order: an article's id (hand-picked or pinned), or `automatic` (0) for a link the ranking fills.
        public var links: [Int]

        public init(after: Int, links: [Int]) {
            self.after = after
            self.links = links
        }
    }

    /// A link the ranking fills.
    public static let automatic = 0
    public static let maxBlocks = 8
    /// As in `InlineMoreBlocks`: a block carries one to three links.
    public static let maxLinksPerBlock = 3
    public static let maxExcluded = 100
    /// The longest JSON `init(json:)` reads.
    public static let maxJSONBytes = 8_192

    /// In the order they stand in the body.
    public var blocks: [Block]
    /// Articles the ranking never puts on this article: automatic links the journalist removed.
    public var excluded: [Int]

    /// Normalised: blocks sorted by place, at most `maxBlocks` of one to `maxLinksPerBlock` links each; ids positive
    /// (or `automatic`); an article at most once over all blocks; excluded ids positive, unique, at most `maxExcluded`.
    public init(blocks: [Block], excluded: [Int] = []) {
        var seen = Set<Int>()
        var kept: [Block] = []
        for block in blocks.sorted(by: { $0.after < $1.after }) where block.after >= 1 && block.after <= 10_000 {
            let links = block.links.filter { $0 == Self.automatic || ($0 > 0 && seen.insert($0).inserted) }
            if links.isEmpty { continue }
            kept.append(Block(after: block.after, links: Array(links.prefix(Self.maxLinksPerBlock))))
            if kept.count == Self.maxBlocks { break }
        }
        var excludedSeen = Set<Int>()
        self.blocks = kept
        self.excluded = Array(excluded.filter { $0 > 0 && !seen.contains($0) && excludedSeen.insert($0).inserted }.prefix(Self.maxExcluded))
    }

    /// The site's automatic layout as a plan: its blocks, every link automatic.
    public init(automatic layout: InlineMoreBlocks) {
        self.init(
            blocks: zip(layout.afterParagraphs, layout.blockSizes).map {
                Block(after: $0.0, links: Array(repeating: Self.automatic, count: $0.1))
            })
    }

    /// A plan from its JSON (`{"blocks":[{"after":1,"links":[12,0]}],"excluded":[5]}`); nil for an empty string, for
    /// anything that is not such an object, and for more than `maxJSONBytes`.
    public init?(json: String) {
        guard !json.isEmpty, json.utf8.count <= Self.maxJSONBytes,
            let decoded = try? JSONDecoder().decode(MoreLinks.self, from: Data(json.utf8))
        else { return nil }
        self.init(blocks: decoded.blocks, excluded: decoded.excluded)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let blocks = try container.decode([Block].self, forKey: .blocks)
        let excluded = try container.decodeIfPresent([Int].self, forKey: .excluded) ?? []
        guard blocks.count <= 64, excluded.count <= 1_000, blocks.allSatisfy({ $0.links.count <= 64 }) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "too many links"))
        }
        self.init(blocks: blocks, excluded: excluded)
    }

    /// The JSON the column and the editor's hidden field hold.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    /// The hand-picked and pinned articles, in the order they stand.
    public var chosen: [Int] { blocks.flatMap(\.links).filter { $0 != Self.automatic } }

    /// How many links the ranking is asked for at most: every link of the plan, and one more for each removed one.
    public var rankedNeeded: Int { blocks.reduce(0) { $0 + $1.links.count } + excluded.count }

    /// One link of a laid-out plan and whether the ranking chose it.
    public struct Filled<Link: Sendable>: Sendable {
        public var link: Link
        public var isAutomatic: Bool
    }

    /// The plan filled: each hand-picked id that `available` has (a visible article) keeps its place; every automatic
    /// place, and every place whose article is gone (unpublished or deleted), takes the next article of `ranked`
    /// (best first) that is neither removed nor chosen elsewhere nor `article` itself. A block left without any link
    /// is dropped. Linear in the plan and the ranking.
    public func fill<Link: Sendable>(
        article: Int, ranked: [(id: Int, link: Link)], available: [Int: Link]
    ) -> [(after: Int, links: [Filled<Link>])] {
        places(article: article, ranked: ranked, available: available).compactMap { block in
            let links = block.links.compactMap { $0 }
            return links.isEmpty ? nil : (block.after, links)
        }
    }

    /// The same, place by place: every block and link of the plan, nil where nothing could fill it (the editor's
    /// panel shows the plan as it is, with what each place will hold).
    public func places<Link: Sendable>(
        article: Int, ranked: [(id: Int, link: Link)], available: [Int: Link]
    ) -> [(after: Int, links: [Filled<Link>?])] {
        var used = Set(chosen.filter { available[$0] != nil })
        used.insert(article)
        let skip = Set(excluded)
        var next = ranked[...]
        func automatic() -> Filled<Link>? {
            while let candidate = next.first {
                next = next.dropFirst()
                if skip.contains(candidate.id) || used.contains(candidate.id) { continue }
                used.insert(candidate.id)
                return Filled(link: candidate.link, isAutomatic: true)
            }
            return nil
        }
        return blocks.map { block in
            let links = block.links.map { id -> Filled<Link>? in
                if id != Self.automatic, let link = available[id] { return Filled(link: link, isAutomatic: false) }
                return automatic()
            }
            return (block.after, links)
        }
    }
}

extension InlineMoreBlocks {
    /// Places `placed` blocks (sorted by `after`) between the body's blocks: each after its paragraph, never after
    /// the last block of the body; a block whose paragraph the body no longer has stands after the last paragraph
    /// that is not the body's end (a hand-placed block is never dropped because the text got shorter).
    public func layout<Block: KindedBlock, Link: Sendable>(
        _ blocks: [Block], placed: [(after: Int, links: [Link])]
    ) -> [Segment<Block, Link>] {
        // The paragraphs a block may follow: all but one that ends the body.
        var eligible = 0
        for (index, block) in blocks.enumerated() where block.kind == .paragraph && index < blocks.count - 1 { eligible += 1 }
        var remaining = placed.filter { !$0.links.isEmpty }.map { (min($0.after, eligible), $0.links) }[...]
        var segments: [Segment<Block, Link>] = []
        var paragraphs = 0
        for (index, block) in blocks.enumerated() {
            segments.append(.block(block))
            guard block.kind == .paragraph, index < blocks.count - 1 else { continue }
            paragraphs += 1
            while let first = remaining.first, first.0 <= paragraphs {
                remaining.removeFirst()
                segments.append(.more(first.1))
            }
        }
        return segments
    }
}
