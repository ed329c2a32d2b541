import Foundation
import NIOCore
import Testing
import VestnikCore
@testable import VestnikWeb

/// Vestnik's Mustache engine (Template.swift, TemplateRenderer.swift, TemplateValue.swift). Cases marked "spec" are
/// from the official Mustache spec (mustache/spec, specs/*.yml); the others pin what swift-mustache 2.1.1 did, on
/// which the theme was written.
@Suite struct TemplateEngineTests {
    /// Renders `main` from `templates` with `data` as the root object.
    static func render(_ templates: [String: String], _ data: [String: TemplateValue] = [:]) throws -> String {
        var library = TemplateLibrary()
        for (name, text) in templates { try library.add(text, named: name) }
        return try #require(library.render("main", .object(Fields(data))))
    }

    static func render(_ template: String, _ data: [String: TemplateValue] = [:]) throws -> String {
        try render(["main": template], data)
    }

    static func loadError(_ template: String) -> String {
        do {
            _ = try Template(template, name: "page")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    static func list(_ items: TemplateValue...) -> TemplateValue { .list(TemplateList(items)) }

    static func object(_ fields: [String: TemplateValue]) -> TemplateValue { .object(Fields(fields)) }

    /// An object given as a dictionary (every `TemplateFields` is a class).
    final class Fields: TemplateFields {
        let values: [String: TemplateValue]
        init(_ values: [String: TemplateValue]) { self.values = values }
        func field(_ key: FieldKey) -> TemplateValue { values[key.name] ?? .none }
    }

    // MARK: values and escaping

    @Test func escapesAsHTMLEscapeDoes() throws {
        #expect(try Self.render("{{x}}", ["x": .text(#"& < > " ' é"#)]) == "&amp; &lt; &gt; &quot; &#39; é")
        for text in ["", "plain", "Заглавие <b>&</b>", "a\"b'c", "<\u{301}x", "🙂&🙂", "&&&&", "край>"] {
            var out = PageBuffer(capacity: 1)
            HTML.escape(text, into: &out)
            #expect(String(buffer: out.finish()) == Self.escapedScalars(text), "\(text)")
            #expect(HTML.escape(text) == Self.escapedScalars(text), "\(text)")
            var characters = ""
            for character in text { HTML.escape(character, into: &characters) }
            #expect(characters == Self.escapedScalars(text), "\(text)")
        }
        // Text is scanned eight bytes at a time: each of the five at every place of a longer text, around Cyrillic
        // letters (bytes 0xD0–0xD1, 0x80–0xBF) and ASCII neighbours of the five.
        let fillers = ["абвгдежзийклмнопрстуф", "%(;=?!#$%(;=?!#$%(;=?!", "the quick brown fox jumps"]
        for filler in fillers {
            for special in ["&", "<", ">", "\"", "'", "<&>"] {
                for place in 0...filler.count {
                    var text = filler
                    text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: place))
                    var out = PageBuffer(capacity: 1)
                    HTML.escape(text, into: &out)
                    #expect(String(buffer: out.finish()) == Self.escapedScalars(text), "\(text)")
                    #expect(HTML.escape(text) == Self.escapedScalars(text), "\(text)")
                }
            }
        }
    }

    /// The five replaced scalar by scalar: what the byte-level escaper must give.
    static func escapedScalars(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A page is written straight into the buffer that is sent (`PageBuffer`): writes past its first size grow it
    /// with what was written kept, and bytes taken back (an indentation with nothing after it) leave no trace.
    @Test func pageBufferGrowsAndTakesBack() {
        var out = PageBuffer(capacity: 3)
        var expected: [UInt8] = []
        for round in 0..<500 {
            let piece = Array("piece \(round);".utf8)
            out.write(piece)
            expected += piece
        }
        out.write("&amp;")
        expected += Array("&amp;".utf8)
        #expect(out.count == expected.count)
        #expect(out.byte(at: 0) == UInt8(ascii: "p") && out.byte(at: expected.count - 1) == UInt8(ascii: ";"))
        out.write(Array("    ".utf8))
        out.truncate(to: expected.count)
        out.write([])
        #expect(Array(buffer: out.finish()) == expected)
    }

    /// A page larger than the first guess of its size, rendered twice: the second starts from the first's size.
    @Test func pagesLargerThanTheFirstGuess() throws {
        let rows = (0..<3000).map { TemplateValue.text("<\($0)>") }
        let expected = (0..<3000).map { "&lt;\($0)&gt;\n" }.joined()
        var library = TemplateLibrary()
        try library.add("{{#rows}}{{.}}\n{{/rows}}", named: "main")
        for _ in 0..<2 {
            let page = try #require(library.renderBytes("main", Self.object(["rows": .list(TemplateList(rows))])))
            #expect(String(buffer: page) == expected)
        }
    }

    /// A field name is two integers; the name itself is kept once, in `FieldNames`, for lookups that need it.
    @Test func fieldKeysKeepTheirNames() {
        let key = FieldKey("a name no template uses")
        #expect(key.name == "a name no template uses" && key.id == .other)
        #expect(FieldKey("title").name == "title" && FieldKey("title").id == .title)
        #expect(key == FieldKey("a name no template uses") && key != FieldKey("title"))
    }

    /// HTML bytes (an article body's blocks) render in every tag as the text they spell would.
    @Test func htmlBytesRenderAsTheirText() throws {
        let template = "[{{x}}|{{{x}}}|{{&x}}|{{#x}}<{{.}}{{{.}}}>{{/x}}|{{^x}}none{{/x}}|{{#x}}{{y}}{{/x}}]"
        for text in ["", "0", "<p>Заглавие <b>&amp;</b> \"a\" 'b'</p>", "<\u{301}x", "🙂&🙂", "край>"] {
            let bytes = Array("..\(text)..".utf8).dropFirst(2).dropLast(2)  // a slice that does not start at 0
            #expect(
                try Self.render(template, ["x": .html(bytes), "y": .text("Y")])
                    == Self.render(template, ["x": .text(text), "y": .text("Y")]))
        }
    }

    @Test func unescapedForms() throws {
        let data: [String: TemplateValue] = ["x": .text("<b>&amp;</b>")]
        #expect(
            try Self.render("{{{x}}}|{{&x}}|{{ x }}|{{{ x }}}|{{& x }}", data)
                == "<b>&amp;</b>|<b>&amp;</b>|&lt;b&gt;&amp;amp;&lt;/b&gt;|<b>&amp;</b>|<b>&amp;</b>")
    }

    @Test func scalarsPrintAsSwiftMustacheDid() throws {
        #expect(
            try Self.render("{{n}} {{t}} {{f}} [{{missing}}]", ["n": 42.templateValue, "t": .bool(true), "f": .bool(false)])
                == "42 true false []")
        let none: String? = nil
        #expect(try Self.render("[{{x}}]", ["x": none.templateValue]) == "[]")
    }

    // MARK: names

    @Test func dottedNames() throws {
        let data: [String: TemplateValue] = [
            "a": Self.object(["b": Self.object(["c": .text("deep")])]), "c": .text("outer"),
        ]
        #expect(try Self.render("{{a.b.c}}|{{#a}}{{b.c}}{{/a}}|{{a.x.c}}|{{#a.b}}{{c}}{{/a.b}}", data) == "deep|deep||deep")
        // spec: each part after the first resolves only against its parent.
        let broken: [String: TemplateValue] = ["a": Self.object(["b": Self.object([:])]), "c": Self.object(["name": .text("Jim")])]
        #expect(try Self.render("{{a.b.c.name}}", broken) == "")
        // spec: the first part climbs like any name.
        let climbing: [String: TemplateValue] = [
            "a": Self.object(["b": Self.object(["c": Self.object(["name": .text("Phil")])])]),
            "b": Self.object(["c": Self.object(["name": .text("Wrong")])]),
        ]
        #expect(try Self.render("{{#a}}{{b.c.name}}{{/a}}", climbing) == "Phil")
    }

    @Test func leadingDotLooksOnlyInTheCurrentItem() throws {
        let data: [String: TemplateValue] = [
            "kicker": .text("outer"), "cards": Self.list(Self.object(["kicker": .text("K")]), Self.object(["title": .text("t")])),
        ]
        #expect(try Self.render("{{#cards}}[{{#.kicker}}{{.}}{{/.kicker}}|{{kicker}}]{{/cards}}", data) == "[K|K][|outer]")
        #expect(try Self.render("{{#cards}}{{.kicker}};{{/cards}}", data) == "K;;")
    }

    @Test func contextClimbsTheStack() throws {
        let data: [String: TemplateValue] = [
            "layout": Self.object(["t": Self.object(["more": .text("Още:")])]),
            "body": Self.list(Self.object(["links": Self.list(Self.object(["url": .text("/a")]))])),
        ]
        #expect(try Self.render("{{#body}}{{#links}}{{layout.t.more}} {{url}}{{/links}}{{/body}}", data) == "Още: /a")
        // A nil field is "not here": the lookup climbs on (swift-mustache did the same).
        let shadow: [String: TemplateValue] = ["x": .text("outer"), "item": Self.object(["x": .none])]
        #expect(try Self.render("{{#item}}{{x}}{{/item}}", shadow) == "outer")
        // false is a value: it stops the climb.
        let stop: [String: TemplateValue] = ["x": .bool(true), "item": Self.object(["x": .bool(false)])]
        #expect(try Self.render("{{#item}}{{#x}}yes{{/x}}{{^x}}no{{/x}}{{/item}}", stop) == "no")
    }

    @Test func localeStringsResolve() throws {
        let strings = LocaleStrings(["key": "стойност"])
        #expect(try Self.render("{{t.key}}|{{t.missing}}", ["t": strings.templateValue]) == "стойност|")
        #expect(try Self.render("{{#layout}}{{t.key}}{{/layout}}", ["layout": Self.object(["t": strings.templateValue])]) == "стойност")
        // Keys are found by their interned symbol: a name interned before the strings were made, or after, that is
        // not a key answers nothing; a key that is also a view field's name answers its string.
        let before = FieldKey("interned before the strings")
        let titled = LocaleStrings(["title": "заглавие", "x": "y"])
        #expect(titled.field(before).isNone)
        #expect(titled.field("interned after the strings").isNone)
        #expect(try Self.render("{{t.title}}|{{t.x}}", ["t": titled.templateValue]) == "заглавие|y")
        #expect(LocaleStrings([:]).field("title").isNone)
    }

    // MARK: sections

    @Test func sections() throws {
        let data: [String: TemplateValue] = [
            "list": Self.list(.text("a"), .text("b")), "empty": Self.list(), "object": Self.object(["x": .text("X")]),
            "yes": .bool(true), "no": .bool(false), "text": .text("T"), "blank": .text(""), "zero": 0.templateValue,
        ]
        #expect(try Self.render("{{#list}}{{.}},{{/list}}", data) == "a,b,")
        #expect(try Self.render("{{#empty}}x{{/empty}}", data) == "")
        #expect(try Self.render("{{#object}}{{x}}{{/object}}", data) == "X")
        #expect(try Self.render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}", data) == "Y")
        #expect(try Self.render("{{#text}}<{{.}}>{{/text}}", data) == "<T>")
        // As in swift-mustache: any text is truthy, even "" and "0".
        #expect(try Self.render("{{#blank}}<{{.}}>{{/blank}}{{#zero}}<{{.}}>{{/zero}}", data) == "<><0>")
        #expect(try Self.render("{{#missing}}x{{/missing}}", data) == "")
        // A list of objects, with the outer context still in reach.
        let cards: [String: TemplateValue] = [
            "more": .text("+"), "cards": Self.list(Self.object(["title": .text("a")]), Self.object(["title": .text("b")])),
        ]
        #expect(try Self.render("{{#cards}}{{more}}{{title}}{{/cards}}", cards) == "+a+b")
    }

    /// Views' arrays are held as they are (`TemplateList`); an array of views, of strings, or of either behind an
    /// optional (whose element type only the conformance sees) gives its items in order, each as its own case.
    @Test func listsOfViewsAndStrings() throws {
        let views = [Fields(["title": .text("a")]), Fields(["title": .text("b")])]
        let texts = ["x", "<y>"]
        let optionalViews: [Fields]? = views
        let optionalTexts: [String]? = texts
        let data: [String: TemplateValue] = [
            "views": views.templateValue, "texts": texts.templateValue,
            "optionalViews": optionalViews.templateValue, "optionalTexts": optionalTexts.templateValue,
            "none": ([Fields]?.none).templateValue, "emptyViews": [Fields]().templateValue,
            "numbers": [1, 2].templateValue, "more": .text("+"),
        ]
        let template =
            "{{#views}}{{more}}{{title}}{{/views}}|{{#texts}}{{.}},{{/texts}}|{{#optionalViews}}{{title}}{{/optionalViews}}"
            + "|{{#optionalTexts}}{{{.}}}{{/optionalTexts}}|{{#none}}x{{/none}}{{^emptyViews}}empty{{title}}{{/emptyViews}}"
            + "|{{#numbers}}{{.}}{{/numbers}}"
        #expect(try Self.render(template, data) == "+a+b|x,&lt;y&gt;,|ab|x<y>|empty|12")
        // An item of a list of views is pushed unretained (the list holds it); `.` is still the item itself.
        let current = "{{#views}}[{{.title}}|{{#.}}{{title}}{{more}}{{/.}}|{{^.}}never{{/.}}{{.}}]{{/views}}"
        #expect(try Self.render(current, data) == "[a|a+|][b|b+|]")
        let list = try #require({ if case .list(let list) = views.templateValue { list } else { nil } }())
        #expect(list.count == 2)
        guard case .object(let second) = list.item(1) else { Issue.record("not an object"); return }
        #expect(second === views[1])
    }

    @Test func invertedSections() throws {
        let data: [String: TemplateValue] = [
            "list": Self.list(.text("a")), "empty": Self.list(), "yes": .bool(true), "no": .bool(false),
            "blank": .text(""), "object": Self.object([:]), "outer": .text("o"),
        ]
        #expect(try Self.render("{{^missing}}1{{/missing}}{{^no}}2{{/no}}{{^empty}}3{{outer}}{{/empty}}", data) == "123o")
        #expect(try Self.render("{{^list}}x{{/list}}{{^yes}}x{{/yes}}{{^blank}}x{{/blank}}{{^object}}x{{/object}}", data) == "")
    }

    // MARK: whitespace

    @Test func standaloneLinesAreRemoved() throws {
        // spec (sections): standalone lines.
        #expect(
            try Self.render("| This Is\n{{#boolean}}\n|\n{{/boolean}}\n| A Line", ["boolean": .bool(true)])
                == "| This Is\n|\n| A Line")
        // spec: indented standalone lines.
        #expect(
            try Self.render("| This Is\n  {{#boolean}}\n|\n  {{/boolean}}\n| A Line", ["boolean": .bool(true)])
                == "| This Is\n|\n| A Line")
        // spec: "\r\n" counts as a line end.
        #expect(try Self.render("|\r\n{{#boolean}}\r\n{{/boolean}}\r\n|", ["boolean": .bool(true)]) == "|\r\n|")
        // spec: standalone without a newline at the end of the template.
        #expect(try Self.render("#{{#boolean}}\n/\n  {{/boolean}}", ["boolean": .bool(true)]) == "#\n/\n")
        // spec: a tag with text on its line is not standalone.
        #expect(
            try Self.render(" {{#boolean}}YES{{/boolean}}\n {{#boolean}}GOOD{{/boolean}}\n", ["boolean": .bool(true)])
                == " YES\n GOOD\n")
        // spec (inverted): standalone lines.
        #expect(
            try Self.render("| This Is\n{{^boolean}}\n|\n{{/boolean}}\n| A Line", ["boolean": .bool(false)])
                == "| This Is\n|\n| A Line")
    }

    @Test func comments() throws {
        // spec (comments).
        #expect(try Self.render("12345{{! Comment Block! }}67890") == "1234567890")
        #expect(try Self.render("Begin.\n{{! Comment Block! }}\nEnd.") == "Begin.\nEnd.")
        #expect(try Self.render("Begin.\n  {{! Indented Comment Block! }}\nEnd.") == "Begin.\nEnd.")
        #expect(try Self.render("Begin.\n{{!\nSomething's going on here...\n}}\nEnd.") == "Begin.\nEnd.")
        #expect(try Self.render("  12 {{! 34 }}\n") == "  12 \n")
    }

    @Test func setDelimiters() throws {
        // spec (delimiters).
        #expect(try Self.render("{{=<% %>=}}(<%text%>)", ["text": .text("Hey!")]) == "(Hey!)")
        #expect(try Self.render("Begin.\n{{=@ @=}}\nEnd.") == "Begin.\nEnd.")
        let template =
            "[\n{{#section}}\n  {{data}}\n  |data|\n{{/section}}\n\n{{= | | =}}\n|#section|\n  {{data}}\n  |data|\n|/section|\n]\n"
        #expect(
            try Self.render(template, ["section": .bool(true), "data": .text("I got interpolated.")])
                == "[\n  I got interpolated.\n  |data|\n\n  {{data}}\n  I got interpolated.\n]\n")
        // Delimiters set in a template do not reach its partials (spec).
        #expect(
            try Self.render(["main": "{{=| |=}}|>include|", "include": ".{{value}}."], ["value": .text("yes")])
                == ".yes.")
    }

    @Test func pragmasAreIgnored() throws {
        #expect(try Self.render("{{% CONTENT_TYPE: TEXT }}\n<{{x}}>", ["x": .text("&")]) == "<&amp;>")
    }

    // MARK: partials and inheritance

    @Test func partials() throws {
        #expect(try Self.render(["main": "\"{{>text}}\"", "text": "from partial"]) == "\"from partial\"")
        #expect(try Self.render(["main": "\"{{>missing}}\""]) == "\"\"")
        // spec: partials see the caller's context.
        #expect(try Self.render(["main": "{{#a}}{{>p}}{{/a}}", "p": "[{{x}}]"], ["a": Self.object(["x": .text("1")])]) == "[1]")
        // spec: standalone indentation is added to each line of the partial, not inside interpolated values.
        #expect(
            try Self.render(
                ["main": "\\\n {{>partial}}\n/\n", "partial": "|\n{{{content}}}\n|\n"], ["content": .text("<\n->")])
                == "\\\n |\n <\n->\n |\n/\n")
        // spec: standalone line endings.
        #expect(try Self.render(["main": "|\r\n{{>partial}}\r\n|", "partial": ">"]) == "|\r\n>|")
        #expect(try Self.render(["main": "  {{>partial}}\n>", "partial": ">\n>"]) == "  >\n  >>")
        // Nested standalone partials add up their indentation.
        #expect(
            try Self.render(["main": "a\n  {{>p}}\nz\n", "p": "b\n  {{>q}}\n", "q": "c\nd\n"])
                == "a\n  b\n    c\n    d\nz\n")
    }

    @Test func inheritance() throws {
        // spec (~inheritance).
        #expect(try Self.render("{{$title}}Default title{{/title}}\n") == "Default title\n")
        #expect(
            try Self.render([
                "main": "{{<super}}{{$title}}sub template title{{/title}}{{/super}}",
                "super": "...{{$title}}Default title{{/title}}...",
            ]) == "...sub template title...")
        #expect(
            try Self.render(
                [
                    "main": "{{<include}}{{$var}}var in template{{/var}}{{/include}}",
                    "include": "{{$var}}var in include{{/var}}",
                ], ["var": .text("var in data")]) == "var in template")
        #expect(
            try Self.render([
                "main": "{{<parent}}{{$stuff2}}override two{{/stuff2}}{{/parent}}",
                "parent": "{{$stuff}}new default one{{/stuff}}, {{$stuff2}}new default two{{/stuff2}}",
            ])
                == "new default one, override two")
        #expect(
            try Self.render([
                "main": "{{<parent}}{{$ballmer}}\npeaked\n\n:(\n{{/ballmer}}{{/parent}}",
                "parent": "{{$ballmer}}peaking{{/ballmer}}",
            ]) == "peaked\n\n:(\n")
        #expect(
            try Self.render([
                "main": "{{<parent}}{{$nineties}}hammer time{{/nineties}}{{/parent}}",
                "parent": "stop:\n  {{$nineties}}collaborate and listen{{/nineties}}\n",
            ]) == "stop:\n  hammer time\n")
        #expect(
            try Self.render([
                "main": "{{<parent}} asdfasd {{$foo}}hmm{{/foo}} asdfasdfasdf {{/parent}}",
                "parent": "{{$foo}}default content{{/foo}}",
            ]) == "hmm")
        #expect(
            try Self.render(
                [
                    "main": "{{<parent}}{{$block}}I say {{fruit}}.{{/block}}{{/parent}}",
                    "parent": "{{#nested}}{{$block}}You say {{fruit}}.{{/block}}{{/nested}}",
                ],
                ["fruit": .text("apples"), "nested": Self.object(["fruit": .text("bananas")])]) == "I say bananas.")
        // spec: the outermost child wins in multi-level inheritance; without it, the nearest.
        let levels = [
            "parent": "{{<older}}{{$a}}p{{/a}}{{/older}}", "older": "{{<grandParent}}{{$a}}o{{/a}}{{/grandParent}}",
            "grandParent": "{{$a}}g{{/a}}",
        ]
        #expect(try Self.render(levels.merging(["main": "{{<parent}}{{$a}}c{{/a}}{{/parent}}"]) { $1 }) == "c")
        #expect(try Self.render(levels.merging(["main": "{{<parent}}{{/parent}}"]) { $1 }) == "p")
        // spec: block reindentation.
        #expect(
            try Self.render([
                "main": "{{<parent}}{{$block}}\n    one\n    two\n{{/block}}{{/parent}}\n",
                "parent": "Hi,\n  {{$block}}\n  {{/block}}\n",
            ]) == "Hi,\n  one\n  two\n")
    }

    /// The shape of our pages: a page is a child of `layout`, which is itself a child of `base`, and the block's
    /// content renders in the child's context, with partials inside it.
    @Test func nestedParentsLikeOurLayout() throws {
        let templates = [
            "base": "<html>\n{{$head}}<title>-</title>{{/head}}\n<body>\n{{$body}}{{/body}}\n</body>\n</html>\n",
            "layout":
                "{{<base}}\n{{$head}}<title>{{#layout}}{{title}}{{/layout}}</title>{{/head}}\n{{$body}}\n<main>\n{{$main}}{{/main}}\n</main>\n{{/body}}\n{{/base}}\n",
            "card": "<li>{{title}}</li>\n",
            "main": "{{<layout}}\n{{$main}}\n<ul>\n{{#cards}}\n{{> card}}\n{{/cards}}\n</ul>\n{{/main}}\n{{/layout}}\n",
        ]
        let data: [String: TemplateValue] = [
            "layout": Self.object(["title": .text("T&")]),
            "cards": Self.list(Self.object(["title": .text("a")]), Self.object(["title": .text("b")])),
        ]
        #expect(
            try Self.render(templates, data)
                == "<html>\n<title>T&amp;</title>\n<body>\n<main>\n<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n\n</main>\n\n</body>\n</html>\n")
    }

    // MARK: load errors

    @Test func loadErrorsNameTheTemplateAndLine() {
        #expect(Self.loadError("a\n{{#list}}\nb\n") == "template page, line 2: {{#list}} is never closed")
        #expect(Self.loadError("a\n{{#a}}\n{{/b}}") == "template page, line 3: {{/b}} does not close {{#a}} opened on line 2")
        #expect(Self.loadError("{{/a}}") == "template page, line 1: {{/a}} closes no open section")
        #expect(Self.loadError("x\n\n{{uppercase(name)}}").hasPrefix("template page, line 3: {{uppercase(name)}}: transforms"))
        #expect(Self.loadError("{{#reversed(list)}}{{/reversed(list)}}").hasPrefix("template page, line 1:"))
        #expect(Self.loadError("{{>*dynamic}}").hasPrefix("template page, line 1: {{>*dynamic}}: dynamic partials"))
        #expect(Self.loadError("a {{name").hasPrefix("template page, line 1: a tag is not closed"))
        #expect(Self.loadError("{{<p}}{{x}}{{/p}}").hasPrefix("template page, line 1: {{<p}} may hold only"))
        #expect(Self.loadError("{{=<% %>}}").hasPrefix("template page, line 1: a set-delimiter tag"))
    }

    /// An article page leaves "Новините днес" for the page cache to splice in only when its template marks the block:
    /// a theme's own article template without the marks renders it in full.
    @Test func onlyATemplateMarkingTheBlockLeavesItToTheSplice() async throws {
        #expect(try await Theme.load().splicesToday)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-theme-\(UUID().uuidString)")
        let templates = folder.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<main>{{title}}</main>{{> today}}\n".write(
            to: templates.appendingPathComponent("article.mustache"), atomically: true, encoding: .utf8)
        #expect(try await !Theme.load(overrideFolder: folder).splicesToday)
        try "<main>{{title}}</main><!--splice:today-->{{> today}}<!--/splice:today-->\n".write(
            to: templates.appendingPathComponent("article.mustache"), atomically: true, encoding: .utf8)
        #expect(try await Theme.load(overrideFolder: folder).splicesToday)
    }

    @Test func aBadOverrideTemplateFailsTheThemeLoad() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-theme-\(UUID().uuidString)")
        let templates = folder.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "<p>\n{{#cards}}\n".write(to: templates.appendingPathComponent("home.mustache"), atomically: true, encoding: .utf8)
        do {
            _ = try await Theme.load(overrideFolder: folder)
            Issue.record("the theme loaded")
        } catch {
            #expect("\(error)".contains("home.mustache, line 2: {{#cards}} is never closed"), "\(error)")
        }
    }
}
