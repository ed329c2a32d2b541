/// Places the "Още:" blocks of related links between the paragraphs of an article body.
///
/// Blocks go after chosen paragraph positions (counted among paragraphs only, 1-based), never after the
/// last block of the body, so that an "Още:" never closes the article or splits a quote.
public struct InlineMoreBlocks: Sendable {
    /// After which paragraphs a block may stand (REFERENCE §1: after the 1st, 2nd and 4th).
    public var afterParagraphs: [Int]
    /// How many links each block carries, in order; each is 1–3.
    public var blockSizes: [Int]

    public init(afterParagraphs: [Int] = [1, 2, 4], blockSizes: [Int] = [2, 1, 2]) {
        self.afterParagraphs = afterParagraphs
        self.blockSizes = blockSizes.map { min(3, max(1, $0)) }
    }

    /// One piece of the laid-out body: either a body block or an "Още:" block of links.
    public enum Segment<Block: Sendable, Link: Sendable>: Sendable {
        case block(Block)
        case more([Link])
    }

    /// How many links the layout can use at most.
    public var capacity: Int { zip(afterParagraphs, blockSizes).reduce(0) { $0 + $1.1 } }

    @inlinable  // specialised for the caller's block and link types: unspecialised, every array step went through witness tables
    public func layout<Block: KindedBlock, Link: Sendable>(_ blocks: [Block], links: [Link]) -> [Segment<Block, Link>] {
        var remaining = links[...]
        var slots = Array(zip(afterParagraphs, blockSizes)).sorted { $0.0 < $1.0 }[...]
        var segments: [Segment<Block, Link>] = []
        var paragraphs = 0
        for (index, block) in blocks.enumerated() {
            segments.append(.block(block))
            guard block.kind == .paragraph else { continue }
            paragraphs += 1
            guard let slot = slots.first, slot.0 == paragraphs else { continue }
            slots.removeFirst()
            let isLast = index == blocks.count - 1
            guard !isLast, !remaining.isEmpty else { continue }
            let take = remaining.prefix(slot.1)
            remaining.removeFirst(take.count)
            segments.append(.more(Array(take)))
        }
        return segments
    }
}
