import Foundation
import Testing
@testable import VestnikWeb

/// `StructuredData.script` writes JSON-LD itself; it must give exactly the bytes of the Foundation path
/// (JSONSerialization with sorted keys and unescaped slashes, then `<`, `>`, `&` escaped) for the same value.
@Suite struct LinkedDataWriterTests {
    static let awkward = [
        "", "plain", "Кирилица и „кавички“", "quote \" and backslash \\ and slash / and //", "</script><!-- & -->",
        "controls \u{0}\u{1}\u{7}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1B}\u{1F} and DEL \u{7F}", "emoji 👩‍👩‍👧 e\u{301}",
        "line separator \u{2028} paragraph \u{2029} NEL \u{85}", "https://vestnik.bg/svyat/a?b=1&c=2#d",
    ]

    /// Every key of the vocabulary in one object, given in reverse order, with values of every kind.
    static var everyKey: LinkedData {
        let values: [LinkedData] = [
            .string(awkward[2]), .int(-3), .int(1200), .bool(true), .bool(false), .array([]),
            .array(awkward.map(LinkedData.string)), [.type: "ImageObject", .url: "u", .width: 1, .height: 2],
        ]
        return .object(
            LinkedData.Key.allCases.reversed().enumerated().map { index, key in
                LinkedData.Member(key: key, value: values[index % values.count])
            })
    }

    static var blocks: [LinkedData] {
        var blocks = [everyKey, [:], [.itemListElement: [[.type: "ListItem", .position: 0]], .name: "x"]]
        for (index, text) in awkward.enumerated() {
            blocks.append([.name: .string(text), .position: .int(index), .description: .string(text), .url: [.string(text)]])
        }
        return blocks
    }

    @Test func writesWhatFoundationWrites() {
        #expect(LinkedData.Key.allCases.count <= 64, "the writer keeps a set of keys in one UInt64")
        for block in Self.blocks {
            #expect(StructuredData.script(block) == StructuredData.foundationScript(block))
        }
    }

    @Test func aKeySetTwiceKeepsTheLastValue() {
        var block: LinkedData = [.name: "first", .url: "u"]
        block[.name] = "second"
        #expect(StructuredData.script(block) == #"{"name":"second","url":"u"}"#)
        let literal: LinkedData = .object([
            .init(key: .name, value: "first"), .init(key: .url, value: "u"), .init(key: .name, value: "second"),
        ])
        #expect(StructuredData.script(literal) == StructuredData.foundationScript(literal))
        #expect(StructuredData.script(literal) == #"{"name":"second","url":"u"}"#)
    }

    @Test func noValueCanCloseTheScriptElement() {
        let text = StructuredData.script([.headline: "</script><script>alert(1)</script> & <!--"])
        #expect(!text.contains("<") && !text.contains(">") && !text.contains("&"))
        let parsed = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        #expect(parsed?["headline"] == "</script><script>alert(1)</script> & <!--")
    }
}
