import Testing
@testable import VestnikCore

@Suite struct MarkdownBlockTests {
    @Test func paragraphsAndSoftBreaks() {
        let source = """
            Първи ред
            втори ред.

            Втори абзац.
            """
        #expect(
            Markdown.blocks(source) == [
                BodyBlock(kind: .paragraph, html: "<p>Първи ред втори ред.</p>"),
                BodyBlock(kind: .paragraph, html: "<p>Втори абзац.</p>"),
            ])
        #expect(Markdown.html(source) == "<p>Първи ред втори ред.</p>\n<p>Втори абзац.</p>")
    }

    @Test func windowsLineEndingsAndSurroundingSpace() {
        #expect(Markdown.html("  a\r\n  b  \r\n\r\n\tc\r") == "<p>a b</p>\n<p>c</p>")
        #expect(Markdown.html("") == "")
        #expect(Markdown.html("\n \n\t\n") == "")
    }

    @Test func headings() {
        #expect(Markdown.html("# Едно") == "<h2>Едно</h2>")
        #expect(Markdown.html("## Две ##") == "<h2>Две</h2>")
        #expect(Markdown.html("### Три") == "<h3>Три</h3>")
        #expect(Markdown.html("###### Шест") == "<h3>Шест</h3>")
        #expect(Markdown.html("## Език C#") == "<h2>Език C#</h2>")
        #expect(Markdown.html("## *Важно*") == "<h2><em>Важно</em></h2>")
        #expect(Markdown.blocks("## Заглавие").first?.kind == .heading)
        // Not headings.
        #expect(Markdown.html("#хаштаг") == "<p>#хаштаг</p>")
        #expect(Markdown.html("####### седем") == "<p>####### седем</p>")
        #expect(Markdown.html("#") == "")
    }

    @Test func headingInterruptsAParagraph() {
        #expect(Markdown.html("текст\n## Заглавие\nоще") == "<p>текст</p>\n<h2>Заглавие</h2>\n<p>още</p>")
    }

    @Test func blockquotes() {
        #expect(Markdown.html("> „Цитат“, каза той.") == "<blockquote><p>„Цитат“, каза той.</p></blockquote>")
        let source = """
            > Първи абзац
            > продължава.
            >
            > Втори абзац.
            """
        #expect(
            Markdown.blocks(source) == [
                BodyBlock(
                    kind: .quote, html: "<blockquote><p>Първи абзац продължава.</p><p>Втори абзац.</p></blockquote>")
            ])
    }

    @Test func blockquoteLazyContinuationAndEnd() {
        #expect(Markdown.html("> цитат\nпродължение\n\nслед") == "<blockquote><p>цитат продължение</p></blockquote>\n<p>след</p>")
        #expect(Markdown.html("текст\n> цитат") == "<p>текст</p>\n<blockquote><p>цитат</p></blockquote>")
        #expect(Markdown.html(">\n>") == "")
    }

    @Test func nestedBlockquotesStayOnOneLine() {
        let html = Markdown.html("> външен\n>\n> > вътрешен\n> > - точка")
        #expect(html == "<blockquote><p>външен</p><blockquote><p>вътрешен</p><ul><li>точка</li></ul></blockquote></blockquote>")
        #expect(!Markdown.html(String(repeating: ">", count: 10_000) + " x").contains("\n"))
    }

    @Test func unorderedLists() {
        let source = """
            - първо
            * второ
              продължение
            + **трето**
            """
        #expect(
            Markdown.blocks(source) == [
                BodyBlock(
                    kind: .list, html: "<ul><li>първо</li><li>второ продължение</li><li><strong>трето</strong></li></ul>")
            ])
    }

    @Test func orderedLists() {
        #expect(Markdown.html("1. едно\n2. две\n3. три") == "<ol><li>едно</li><li>две</li><li>три</li></ol>")
        #expect(Markdown.html("3) три\n4) четири") == "<ol start=\"3\"><li>три</li><li>четири</li></ol>")
    }

    @Test func listsAcrossBlankLinesAndAroundParagraphs() {
        #expect(Markdown.html("- а\n\n- б") == "<ul><li>а</li><li>б</li></ul>")
        #expect(Markdown.html("Увод:\n- а\n- б\n\nКрай.") == "<p>Увод:</p>\n<ul><li>а</li><li>б</li></ul>\n<p>Край.</p>")
        #expect(Markdown.html("- а\n1. б") == "<ul><li>а</li></ul>\n<ol><li>б</li></ol>")
        #expect(Markdown.html("- а\n  - вложено") == "<ul><li>а</li><li>вложено</li></ul>")
    }

    @Test func numbersInsideAParagraphAreNotLists() {
        #expect(Markdown.html("Това се случи през\n2023. година") == "<p>Това се случи през 2023. година</p>")
        #expect(Markdown.html("-5 градуса") == "<p>-5 градуса</p>")
        #expect(Markdown.html("*курсив* в началото") == "<p><em>курсив</em> в началото</p>")
    }

    @Test func rules() {
        #expect(Markdown.html("---") == "<hr>")
        #expect(Markdown.html("* * *") == "<hr>")
        #expect(Markdown.html("___") == "<hr>")
        #expect(Markdown.html("текст\n---\nоще") == "<p>текст</p>\n<hr>\n<p>още</p>")
        #expect(Markdown.blocks("---").first?.kind == .rule)
        #expect(Markdown.html("--") == "<p>--</p>")
    }

    @Test func figures() {
        #expect(
            Markdown.blocks(#"![Ким Чен-ун и Путин](/media/kim.jpg "Снимка: БТА")"#) == [
                BodyBlock(
                    kind: .figure,
                    html:
                        #"<figure><img src="/media/kim.jpg" alt="Ким Чен-ун и Путин" loading="lazy"><figcaption>Снимка: БТА</figcaption></figure>"#
                )
            ])
        #expect(
            Markdown.html("![](https://cdn.example.com/a.jpg)")
                == #"<figure><img src="https://cdn.example.com/a.jpg" alt="" loading="lazy"></figure>"#)
        #expect(
            Markdown.html("![*Пожар*](a.jpg 'Снимка: [БТА](https://bta.bg)')")
                == #"<figure><img src="a.jpg" alt="Пожар" loading="lazy"><figcaption>Снимка: <a href="https://bta.bg" rel="noopener">БТА</a></figcaption></figure>"#
        )
    }

    @Test func figureOnItsOwnLineSplitsAParagraph() {
        #expect(Markdown.blocks("преди\n![a](/a.jpg)\nслед").map(\.kind) == [.paragraph, .figure, .paragraph])
    }

    @Test func imageInsideTextKeepsOnlyItsDescription() {
        #expect(Markdown.html("вижте ![снимката](/a.jpg) тук") == "<p>вижте снимката тук</p>")
    }

    @Test func everyBlockIsOneLine() {
        let source = """
            # Заглавие
            Абзац
            на
            три реда.

            > цитат
            > на два реда
            >
            > втори

            - точка
              продължение
            1. едно
            ![снимка](/a.jpg "надпис
            на два реда")
            `код
            на два реда`
            """
        let blocks = Markdown.blocks(source)
        #expect(blocks.allSatisfy { !$0.html.contains("\n") })
        #expect(ArticleBody.blocks(fromHTML: Markdown.html(source)) == blocks)
    }
}

@Suite struct MarkdownInlineTests {
    func inline(_ source: String) -> String {
        Markdown.inlineHTML(source)
    }

    @Test func emphasis() {
        #expect(inline("**удебелен**") == "<strong>удебелен</strong>")
        #expect(inline("__удебелен__") == "<strong>удебелен</strong>")
        #expect(inline("*курсив* и _курсив_") == "<em>курсив</em> и <em>курсив</em>")
        #expect(inline("***и двете***") == "<em><strong>и двете</strong></em>")
        #expect(inline("**удебелен с *курсив* вътре**") == "<strong>удебелен с <em>курсив</em> вътре</strong>")
        #expect(inline("по**лу**дума") == "по<strong>лу</strong>дума")
        #expect(inline("„**Цитат**“") == "„<strong>Цитат</strong>“")
    }

    @Test func delimitersThatAreText() {
        #expect(inline("snake_case_name") == "snake_case_name")
        #expect(inline("2 * 3 * 4") == "2 * 3 * 4")
        #expect(inline("**незатворен") == "**незатворен")
        #expect(inline("*незатворен") == "*незатворен")
        // Mismatched runs pair up as CommonMark does; leftovers stay literal.
        #expect(inline("**а *б**") == "*<em>а <em>б</em></em>")
        #expect(inline("*а **б*") == "*а *<em>б</em>")
        #expect(inline("** **") == "** **")
    }

    @Test func code() {
        #expect(inline("`x < y && z`") == "<code>x &lt; y &amp;&amp; z</code>")
        #expect(inline("``код с ` вътре``") == "<code>код с ` вътре</code>")
        #expect(inline("` a `") == "<code>a</code>")
        #expect(inline("`*не е курсив*`") == "<code>*не е курсив*</code>")
        #expect(inline("`незатворен") == "`незатворен")
    }

    @Test func backslashEscapes() {
        #expect(inline(#"\*не е курсив\*"#) == "*не е курсив*")
        #expect(inline(#"\[не е връзка](/x)"#) == "[не е връзка](/x)")
        #expect(inline(#"C:\Users"#) == #"C:\Users"#)
        #expect(inline(#"\<b\>"#) == "&lt;b&gt;")
        #expect(inline(#"край\"#) == #"край\"#)
    }

    @Test func links() {
        #expect(inline("[статия](/novini/kim)") == #"<a href="/novini/kim">статия</a>"#)
        #expect(inline("[БТА](https://www.bta.bg/bg)") == #"<a href="https://www.bta.bg/bg" rel="noopener">БТА</a>"#)
        #expect(inline("[горе](#top)") == ##"<a href="#top">горе</a>"##)
        #expect(inline("[пишете](mailto:desk@example.bg)") == #"<a href="mailto:desk@example.bg">пишете</a>"#)
        #expect(inline(#"[а](/x "Заглавие")"#) == #"<a href="/x" title="Заглавие">а</a>"#)
        #expect(inline("[**удебелена**](/x)") == #"<a href="/x"><strong>удебелена</strong></a>"#)
        #expect(
            inline("[Уики](https://bg.wikipedia.org/wiki/Foo_(bar))")
                == #"<a href="https://bg.wikipedia.org/wiki/Foo_(bar)" rel="noopener">Уики</a>"#)
        #expect(inline("[а](<в с интервал>)") == #"<a href="в%20с%20интервал">а</a>"#)
        #expect(inline("[a](/x?a=1&b=2)") == #"<a href="/x?a=1&amp;b=2">a</a>"#)
        #expect(inline("*виж [тук](/x)*") == #"<em>виж <a href="/x">тук</a></em>"#)
    }

    @Test func notLinks() {
        #expect(inline("[само скоби]") == "[само скоби]")
        #expect(inline("[а] (/x)") == "[а] (/x)")
        #expect(inline("[а](/x") == "[а](/x")
        #expect(inline("[а]()") == "а")
        #expect(inline("[[вложена](/a)](/b)") == #"<a href="/b">[вложена](/a)</a>"#)
    }

    @Test func autolinks() {
        #expect(
            inline("<https://example.com/a?b=1&c=2>")
                == #"<a href="https://example.com/a?b=1&amp;c=2" rel="noopener">https://example.com/a?b=1&amp;c=2</a>"#)
        #expect(inline("<desk@example.bg>") == #"<a href="mailto:desk@example.bg">desk@example.bg</a>"#)
        #expect(inline("<не е връзка>") == "&lt;не е връзка&gt;")
        #expect(inline("a < b > c") == "a &lt; b &gt; c")
    }

    @Test func textIsEscaped() {
        #expect(inline(#"Tom & Jerry "say" 'hi' <3"#) == "Tom &amp; Jerry &quot;say&quot; &#39;hi&#39; &lt;3")
        #expect(inline("&amp; &#60;") == "&amp;amp; &amp;#60;")
    }
}

@Suite struct MarkdownSecurityTests {
    func inline(_ source: String) -> String {
        Markdown.inlineHTML(source)
    }

    @Test func rawHTMLIsShownAsText() {
        #expect(Markdown.html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
        #expect(
            Markdown.html("<div onclick=\"x()\">\n<b>не</b>\n</div>")
                == "<p>&lt;div onclick=&quot;x()&quot;&gt; &lt;b&gt;не&lt;/b&gt; &lt;/div&gt;</p>")
        #expect(Markdown.html("<img src=x onerror=alert(1)>") == "<p>&lt;img src=x onerror=alert(1)&gt;</p>")
        #expect(Markdown.html("<!-- коментар -->") == "<p>&lt;!-- коментар --&gt;</p>")
        #expect(Markdown.html("## <script>x</script>") == "<h2>&lt;script&gt;x&lt;/script&gt;</h2>")
    }

    @Test(arguments: [
        "[x](javascript:alert(1))",
        "[x]( JaVaScRiPt:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](java\tscript:alert(1))",
        "[x](<java\nscript:alert(1)>)",
        "[x](\u{01}javascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](file:///etc/passwd)",
        #"[x](javascript\:alert(1))"#,
    ])
    func dangerousLinksLoseTheirLink(source: String) {
        let html = inline(source)
        #expect(!html.contains("<a"), "\(html)")
        #expect(html.hasPrefix("x") || html.hasPrefix("["), "\(html)")
    }

    @Test func linkTextSurvivesAForbiddenURL() {
        #expect(inline("[натисни **тук**](javascript:alert(1))") == "натисни <strong>тук</strong>")
        #expect(inline("<javascript:alert(1)>") == "&lt;javascript:alert(1)&gt;")
        #expect(inline("<data:text/html,x>") == "&lt;data:text/html,x&gt;")
    }

    @Test func entityTricksCannotFormAScheme() {
        // Entities in the source are text, so they cannot spell "javascript:" in an attribute.
        #expect(inline("[x](&#106;avascript:alert(1))") == #"<a href="&amp;#106;avascript:alert(1)">x</a>"#)
        #expect(inline("[x](javascript&colon;alert(1))") == #"<a href="javascript&amp;colon;alert(1)">x</a>"#)
    }

    @Test(arguments: [
        "![a](data:image/svg+xml;base64,PHN2Zz4=)",
        "![a](javascript:alert(1))",
        "![a]( DATA:image/png;base64,xyz)",
        "![a](mailto:x@example.com)",
    ])
    func dangerousImagesAreDropped(source: String) {
        #expect(Markdown.blocks(source).isEmpty)
        #expect(Markdown.blocks("текст\n" + source).map(\.kind) == [.paragraph])
    }

    @Test func quotesCannotBreakOutOfAttributes() {
        #expect(
            inline(#"[x](https://a.bg/"onmouseover="alert(1))"#)
                == #"<a href="https://a.bg/%22onmouseover=%22alert(1)" rel="noopener">x</a>"#)
        #expect(inline(#"[x](/a'onmouseover='alert(1))"#) == #"<a href="/a&#39;onmouseover=&#39;alert(1)">x</a>"#)
        #expect(inline(#"[x](/a "t" onmouseover="y")"#) == #"[x](/a &quot;t&quot; onmouseover=&quot;y&quot;)"#)
        #expect(inline(#"[x](/a "say \"hi\" <b>")"#) == #"<a href="/a" title="say &quot;hi&quot; &lt;b&gt;">x</a>"#)
        #expect(
            Markdown.html(#"![" onerror="alert(1)](/a.jpg "\" onload=\"x")"#)
                == #"<figure><img src="/a.jpg" alt="&quot; onerror=&quot;alert(1)" loading="lazy"><figcaption>&quot; onload=&quot;x</figcaption></figure>"#
        )
        #expect(
            Markdown.html(#"![a](/a.jpg"onerror="alert(1))"#)
                == #"<figure><img src="/a.jpg%22onerror=%22alert(1)" alt="a" loading="lazy"></figure>"#)
    }

    @Test func unclosedAndMismatchedMarkup() {
        #expect(Markdown.html("**незатворен удебелен") == "<p>**незатворен удебелен</p>")
        #expect(Markdown.html("**а** **б") == "<p><strong>а</strong> **б</p>")
        #expect(Markdown.html("[незатворена](/x") == "<p>[незатворена](/x</p>")
        #expect(Markdown.html("``") == "<p>``</p>")
    }

    @Test func hostileInputStaysBounded() {
        let bombs = [
            String(repeating: "*a ", count: 5_000),
            String(repeating: "[", count: 5_000),
            String(repeating: "![", count: 2_000) + String(repeating: "](/x)", count: 2_000),
            String(repeating: "`", count: 3_000),
            String(repeating: "> ", count: 5_000) + "x",
            String(repeating: "- ", count: 5_000),
        ]
        for bomb in bombs {
            let html = Markdown.html(bomb)
            #expect(!html.contains("<script"))
            #expect(!html.contains("\n"))
        }
    }
}

@Suite struct ArticleBodyTests {
    @Test func blocksFromStoredHTML() {
        let stored = """
            <p>Лийд.</p>
            <h2>Заглавие</h2>
            <h3>Подзаглавие</h3>
            <blockquote><p>Цитат</p></blockquote>
            <ul><li>а</li></ul>
            <ol start="2"><li>б</li></ol>
            <figure><img src="/a.jpg" alt="" loading="lazy"></figure>
            <hr>

            просто текст
            """
        #expect(
            ArticleBody.blocks(fromHTML: stored).map(\.kind)
                == [.paragraph, .heading, .heading, .quote, .list, .list, .figure, .rule, .paragraph])
        #expect(ArticleBody.blocks(fromHTML: stored).first == BodyBlock(kind: .paragraph, html: "<p>Лийд.</p>"))
        #expect(ArticleBody.blocks(fromHTML: "").isEmpty)
    }

    @Test func roundTripsMarkdown() {
        let source = "Лийд с **важно**.\n\n## Контекст\n\n> Цитат\n\n- а\n- б\n\n---\n\n![x](/a.jpg)\n\nКрай."
        let blocks = Markdown.blocks(source)
        #expect(blocks.count == 7)
        #expect(ArticleBody.blocks(fromHTML: Markdown.html(source)) == blocks)
    }

    @Test func plainText() {
        #expect(
            ArticleBody.plainText("<p>Ким Чен-ун &amp; <strong>Путин</strong></p><p>Втори&nbsp;абзац</p>")
                == "Ким Чен-ун & Путин Втори абзац")
        #expect(ArticleBody.plainText("<ul><li>а</li><li>б</li></ul>") == "а б")
        #expect(ArticleBody.plainText("по<em>лу</em>дума") == "полудума")
        #expect(ArticleBody.plainText("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == "<script>alert(1)</script>")
        #expect(ArticleBody.plainText("a<script>var x = '<p>';</script>b<STYLE>p{}</style>c") == "a b c")
        #expect(ArticleBody.plainText("<a href=\"/x?a>b\" title='c>d'>връзка</a>") == "връзка")
        #expect(ArticleBody.plainText("  1 < 2 и 3 <4\n\n  ") == "1 < 2 и 3 <4")
        #expect(ArticleBody.plainText("") == "")
    }

    @Test func plainTextOfRenderedMarkdown() {
        let html = Markdown.html("# Заглавие\n\nТекст с [връзка](/x) и `код`.\n\n- а\n- б")
        #expect(ArticleBody.plainText(html) == "Заглавие Текст с връзка и код. а б")
    }
}
