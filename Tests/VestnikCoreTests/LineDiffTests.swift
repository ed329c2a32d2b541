import Testing
@testable import VestnikCore

@Suite("Line diff")
struct LineDiffTests {
    @Test("an edited paragraph is its old line deleted and its new line inserted, the rest kept")
    func editedParagraph() {
        let diff = LineDiff.lines(["Първи.", "Втори.", "Трети."], ["Първи.", "Втори, поправен.", "Трети."])
        #expect(diff == [.same("Първи."), .deleted("Втори."), .inserted("Втори, поправен."), .same("Трети.")])
    }

    @Test("insertions and deletions in the middle keep the longest common run")
    func middle() {
        let diff = LineDiff.lines(["a", "b", "c", "d", "e"], ["a", "x", "c", "e", "f"])
        #expect(diff == [.same("a"), .deleted("b"), .inserted("x"), .same("c"), .deleted("d"), .same("e"), .inserted("f")])
        let moved = LineDiff.lines(["a", "b", "c"], ["c", "a", "b"])
        #expect(moved.filter { if case .same = $0 { return true } else { return false } }.count == 2)
    }

    @Test("empty sides and equal texts")
    func edges() {
        #expect(LineDiff.lines([], []) == [])
        #expect(LineDiff.lines([], ["ново"]) == [.inserted("ново")])
        #expect(LineDiff.lines(["старо"], []) == [.deleted("старо")])
        #expect(LineDiff.lines(["x", "y"], ["x", "y"]) == [.same("x"), .same("y")])
    }

    @Test("every line of both sides appears once, in order")
    func complete() {
        let old = (0..<40).map { "ред \($0 % 7)" }
        let new = (0..<35).map { "ред \($0 % 5)" }
        let diff = LineDiff.lines(old, new)
        let before = diff.compactMap { line -> String? in
            switch line {
            case .same(let text), .deleted(let text): return text
            case .inserted: return nil
            }
        }
        let after = diff.compactMap { line -> String? in
            switch line {
            case .same(let text), .inserted(let text): return text
            case .deleted: return nil
            }
        }
        #expect(before == old && after == new)
    }
}

@Suite("Author photo addresses")
struct PhotoURLTests {
    @Test("accepted", arguments: ["", "/media/3f2a9c.jpg", "/media/ABCDEF01.png", "https://cdn.example.bg/a/b.jpg?w=200"])
    func accepted(_ text: String) {
        #expect(PhotoURL.isAcceptable(text))
    }

    @Test(
        "refused",
        arguments: [
            "javascript:alert(1)", "http://example.bg/a.jpg", "data:image/png;base64,AAAA", "/media/../etc/passwd.jpg",
            "/newsroom/logout", "/media/x.svg", "https://exa mple.bg/a.jpg", "https://example.bg/\"onerror=x", "https://",
            "https://user@evil.bg/a.jpg", "//evil.bg/a.jpg", "/media/a.b.jpg",
        ])
    func refused(_ text: String) {
        #expect(!PhotoURL.isAcceptable(text))
    }

    @Test("overlong")
    func overlong() {
        #expect(!PhotoURL.isAcceptable("https://example.bg/" + String(repeating: "a", count: 500) + ".jpg"))
    }
}
