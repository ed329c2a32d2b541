import Testing
import VestnikCore

@Suite("Three-way merge of two saves from one revision")
struct ThreeWayMergeTests {
    let base = ["<p>Първи.</p>", "<p>Втори.</p>", "<p>Трети.</p>", "<p>Четвърти.</p>"]

    @Test("a field only one side changed takes that side; the same change on both is taken once")
    func values() {
        #expect(ThreeWayMerge.value(base: "а", mine: "а", theirs: "б") == ("б", false))
        #expect(ThreeWayMerge.value(base: "а", mine: "в", theirs: "а") == ("в", false))
        #expect(ThreeWayMerge.value(base: "а", mine: "г", theirs: "г") == ("г", false))
        #expect(ThreeWayMerge.value(base: "а", mine: "мое", theirs: "тяхно") == ("мое", true))
    }

    @Test("paragraphs changed by different people both survive, with insertions and deletions on either side")
    func differentParagraphs() {
        let mine = ["<p>Първи, поправен от мен.</p>", "<p>Втори.</p>", "<p>Трети.</p>", "<p>Четвърти.</p>", "<p>Мой нов край.</p>"]
        let theirs = ["<p>Първи.</p>", "<p>Втори.</p>", "<p>Нов след втория.</p>", "<p>Трети, поправен от тях.</p>", "<p>Четвърти.</p>"]
        let merged = ThreeWayMerge.lines(base: base, mine: mine, theirs: theirs)
        #expect(!merged.clash)
        #expect(
            merged.lines == [
                "<p>Първи, поправен от мен.</p>", "<p>Втори.</p>", "<p>Нов след втория.</p>", "<p>Трети, поправен от тях.</p>",
                "<p>Четвърти.</p>", "<p>Мой нов край.</p>",
            ])
        // Both deleting different paragraphs.
        let mineShort = ["<p>Втори.</p>", "<p>Трети.</p>", "<p>Четвърти.</p>"]
        let theirsShort = ["<p>Първи.</p>", "<p>Втори.</p>", "<p>Трети.</p>"]
        #expect(ThreeWayMerge.lines(base: base, mine: mineShort, theirs: theirsShort) == (["<p>Втори.</p>", "<p>Трети.</p>"], false))
    }

    @Test("one paragraph changed differently by both is a clash; the merge keeps mine there and theirs elsewhere")
    func sameParagraph() {
        let mine = ["<p>Първи.</p>", "<p>Втори по моему.</p>", "<p>Трети.</p>", "<p>Четвърти.</p>"]
        let theirs = ["<p>Първи по тяхному.</p>", "<p>Втори по тяхному.</p>", "<p>Трети.</p>", "<p>Четвърти.</p>"]
        let merged = ThreeWayMerge.lines(base: base, mine: mine, theirs: theirs)
        #expect(merged.clash)
        #expect(merged.lines.contains("<p>Втори по моему.</p>"))
        #expect(!merged.lines.contains("<p>Втори по тяхному.</p>"))
        #expect(merged.lines.last == "<p>Четвърти.</p>")
    }

    @Test("the same paragraph deleted by both, or left alone by one side, needs no choice")
    func trivialSides() {
        let without = ["<p>Първи.</p>", "<p>Трети.</p>", "<p>Четвърти.</p>"]
        #expect(ThreeWayMerge.lines(base: base, mine: without, theirs: without) == (without, false))
        #expect(ThreeWayMerge.lines(base: base, mine: base, theirs: without) == (without, false))
        #expect(ThreeWayMerge.lines(base: base, mine: without, theirs: base) == (without, false))
        let emptied: [String] = []
        #expect(ThreeWayMerge.lines(base: base, mine: emptied, theirs: base) == (emptied, false))
    }
}
