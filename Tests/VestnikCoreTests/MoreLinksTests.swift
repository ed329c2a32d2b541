import Foundation
import Testing
import VestnikCore

@Suite("Hand-picked \"Още:\" links")
struct MoreLinksTests {
    @Test("the JSON is read back normalised; anything else is refused")
    func json() throws {
        let plan = try #require(MoreLinks(json: #"{"blocks":[{"after":4,"links":[7,0]},{"after":1,"links":[3]}],"excluded":[9]}"#))
        #expect(plan.blocks == [.init(after: 1, links: [3]), .init(after: 4, links: [7, 0])])
        #expect(plan.excluded == [9])
        #expect(MoreLinks(json: plan.json) == plan)
        #expect(plan.chosen == [3, 7])
        // Duplicates, negative ids, empty blocks, a place before the first paragraph, too many links: cut.
        let messy = try #require(
            MoreLinks(
                json:
                    #"{"blocks":[{"after":0,"links":[1]},{"after":2,"links":[5,5,-1,0,0,0,0]},{"after":3,"links":[]}],"excluded":[5,8,8,-2]}"#
            ))
        #expect(messy.blocks == [.init(after: 2, links: [5, 0, 0])])
        #expect(messy.excluded == [8])
        for bad in [
            "", "[]", "{}", "{\"blocks\":1}", "null", "{\"blocks\":[{\"after\":\"x\",\"links\":[]}]}",
            "{" + String(repeating: " ", count: 9_000) + "}",
        ] {
            #expect(MoreLinks(json: bad) == nil, "\(bad.prefix(40))")
        }
        let many = "{\"blocks\":[" + (1...20).map { "{\"after\":\($0),\"links\":[\($0)]}" }.joined(separator: ",") + "]}"
        #expect(MoreLinks(json: many)?.blocks.count == MoreLinks.maxBlocks)
    }

    @Test("chosen articles keep their places; the ranking fills the rest, never a removed or a chosen one")
    func fill() {
        let plan = MoreLinks(
            blocks: [.init(after: 1, links: [0, 50]), .init(after: 2, links: [0]), .init(after: 4, links: [0, 0])], excluded: [11])
        let ranked = [10, 11, 50, 12, 1, 13].map { (id: $0, link: "r\($0)") }
        let filled = plan.fill(article: 1, ranked: ranked, available: [50: "c50"])
        #expect(filled.map(\.after) == [1, 2, 4])
        #expect(filled.map { $0.links.map(\.link) } == [["r10", "c50"], ["r12"], ["r13"]])
        #expect(filled[0].links.map(\.isAutomatic) == [true, false])
        // A chosen article that is no longer visible gives its place to the ranking; an empty block disappears.
        let gone = MoreLinks(blocks: [.init(after: 1, links: [77]), .init(after: 3, links: [0])])
        #expect(gone.fill(article: 1, ranked: [(id: 5, link: "r5")], available: [:]).map { $0.links.map(\.link) } == [["r5"]])
        #expect(
            gone.places(article: 1, ranked: [(id: 5, link: "r5")], available: [:]).map { $0.links.map { $0?.link } } == [["r5"], [nil]])
        // The site's automatic layout as a plan gives what the automatic layout gives.
        let automatic = MoreLinks(automatic: InlineMoreBlocks())
        #expect(automatic.blocks == [.init(after: 1, links: [0, 0]), .init(after: 2, links: [0]), .init(after: 4, links: [0, 0])])
        #expect(automatic.excluded.isEmpty)
    }

    @Test("placed blocks stand after their paragraph, never at the end; past the text they stand after its last paragraph")
    func layout() {
        let body = ArticleBody.blocks(fromHTML: "<p>1</p>\n<h2>x</h2>\n<p>2</p>\n<p>3</p>\n<p>4</p>")
        func shape(_ placed: [(after: Int, links: [String])]) -> String {
            InlineMoreBlocks().layout(body, placed: placed).map { segment -> String in
                switch segment {
                case .block(let block): return block.kind == .heading ? "H" : "P"
                case .more(let links): return "[" + links.joined(separator: ",") + "]"
                }
            }.joined()
        }
        #expect(shape([(1, ["a"]), (3, ["b", "c"])]) == "P[a]HPP[b,c]P")
        // After the 4th (the last block) is not allowed: it moves up to the 3rd; so does one past the text.
        #expect(shape([(4, ["a"])]) == "PHPP[a]P")
        #expect(shape([(2, ["a"]), (9, ["b"])]) == "PHP[a]P[b]P")
        #expect(shape([(1, [])]) == "PHPPP")
    }
}
