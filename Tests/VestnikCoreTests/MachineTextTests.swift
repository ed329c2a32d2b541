import Foundation
import Testing
@testable import VestnikCore

@Suite struct MachineTextTests {
    @Test func xmlEscapesMarkupAndDropsWhatXMLForbids() {
        #expect(XML.escape("Tom & \"Jerry\" <b>") == "Tom &amp; &quot;Jerry&quot; &lt;b&gt;")
        #expect(XML.escape("a\u{0}b\u{1}c\u{8}d\u{B}e\u{C}f\u{1F}g\u{FFFE}h\u{FFFF}") == "abcdefgh")
        #expect(XML.escape("tab\tline\nreturn\r") == "tab\tline\nreturn\r")
        #expect(XML.escape("]]> България") == "]]&gt; България")
    }

    @Test func percentEncodingKeepsASCIIURLsAndEncodesTheRest() {
        #expect(URLText.percentEncoded("https://vestnik.bg/svyat/a-b?page=2#x") == "https://vestnik.bg/svyat/a-b?page=2#x")
        #expect(
            URLText.percentEncoded("https://пример.bg/вести")
                == "https://%D0%BF%D1%80%D0%B8%D0%BC%D0%B5%D1%80.bg/%D0%B2%D0%B5%D1%81%D1%82%D0%B8")
        #expect(URLText.percentEncoded("/a b\"<>\\^`{|}") == "/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D")
        let once = URLText.percentEncoded("/снимка 1.jpg")
        #expect(once == "/%D1%81%D0%BD%D0%B8%D0%BC%D0%BA%D0%B0%201.jpg")
        #expect(URLText.percentEncoded(once) == once)
    }

    @Test func httpDatesGoBothWays() throws {
        let formatter = NewsDateFormatter(
            vocabulary: DateVocabulary(
                months: [], weekdays: [], dateLine: "", justNow: "", minuteOne: "", minuteOther: "", hourOne: "",
                hourOther: "", yesterday: ""))
        let date = Date(timeIntervalSince1970: 1_693_865_520)  // 2023-09-04 22:12:00 UTC
        #expect(formatter.httpDate(date) == "Mon, 04 Sep 2023 22:12:00 GMT")
        #expect(formatter.rfc822(date) == "Mon, 04 Sep 2023 22:12:00 +0000")
        #expect(NewsDateFormatter.date(fromHTTPDate: "Mon, 04 Sep 2023 22:12:00 GMT") == date)
        #expect(NewsDateFormatter.date(fromHTTPDate: "Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        for bad in [
            "", "yesterday", "Mon, 04 Sep 2023 22:12:00 +0000", "Mon, 31 Feb 2023 22:12:00 GMT",
            "Monday, 04-Sep-23 22:12:00 GMT", "Mon Sep  4 22:12:00 2023", "Mon, 04 Sep 2023 24:00:00 GMT",
            "Xyz, 04 Sep 2023 22:12:00 GMT", "Mon, 4 Sep 2023 22:12:00 GMT",
        ] {
            #expect(NewsDateFormatter.date(fromHTTPDate: bad) == nil, "\(bad)")
        }
    }

    @Test func theFirstImageOfABodyIsItsPicture() {
        let body = """
            <p>Текст с <a href="/svyat/drugo">връзка</a>.</p>
            <figure><img src="https://cdn.example/снимка.jpg?w=1&amp;h=2" alt="Снимка" loading="lazy"><figcaption>Подпис</figcaption></figure>
            <figure><img src="/vtora.png" alt="" loading="lazy"></figure>
            """
        #expect(ArticleBody.firstImageURL(fromHTML: body) == "https://cdn.example/снимка.jpg?w=1&h=2")
        #expect(ArticleBody.firstImageURL(fromHTML: "<p>Без снимки. <img src=\"/x.png\"></p>") == nil)
        #expect(ArticleBody.firstImageURL(fromHTML: "") == nil)
    }

    @Test func rootRelativeLinksBecomeAbsolute() {
        let body = """
            <p><a href="/svyat/drugo">a</a> <a href="//cdn.example/x">b</a> <a href="https://e.bg/">c</a> „=\\"/“ text</p>
            <figure><img src="/static/x.png" alt="/y"></figure>
            """
        #expect(
            ArticleBody.resolvingRootRelativeURLs(in: body, against: "https://vestnik.bg") == """
                <p><a href="https://vestnik.bg/svyat/drugo">a</a> <a href="//cdn.example/x">b</a> <a href="https://e.bg/">c</a> „=\\"/“ text</p>
                <figure><img src="https://vestnik.bg/static/x.png" alt="/y"></figure>
                """)
        #expect(ArticleBody.resolvingRootRelativeURLs(in: "<p>Нищо.</p>", against: "https://vestnik.bg") == "<p>Нищо.</p>")
    }

    @Test func archiveMonthsFollowSofiaTime() throws {
        let november = try #require(ArchiveMonth(year: 2026, month: 11))
        #expect(november.description == "2026-11")
        // Sofia midnight of 1 November 2026 (EET, UTC+2) is 22:00 UTC on 31 October.
        #expect(november.start == Date(timeIntervalSince1970: 1_793_484_000))
        #expect(november.end == november.next.start)
        #expect(november.next.description == "2026-12")
        #expect(try #require(ArchiveMonth(year: 2026, month: 12)).next.description == "2027-01")
        // 31 October 2026, 23:30 UTC is already 1 November in Sofia.
        #expect(ArchiveMonth.containing(Date(timeIntervalSince1970: 1_793_489_400)) == november)
        #expect(ArchiveMonth.containing(november.start.addingTimeInterval(-1)).description == "2026-10")
        #expect(ArchiveMonth(year: 2026, month: 13) == nil)
        #expect(ArchiveMonth(year: 2026, month: 0) == nil)
        #expect(ArchiveMonth(year: 26, month: 1) == nil)
        #expect(try #require(ArchiveMonth(year: 2026, month: 3)).description == "2026-03")
        #expect(try #require(ArchiveMonth(year: 2025, month: 12)) < november)
    }
}
