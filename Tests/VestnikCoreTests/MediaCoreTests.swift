import Testing
import VestnikCore
import VestnikTestSupport

@Suite("Media: pictures, addresses, embeds")
struct MediaCoreTests {
    @Test("each format's type and size come from its own header")
    func formats() {
        #expect(
            ImageFile.inspect(SampleImages.png(width: 1200, height: 675)) == .success(ImageInfo(format: .png, width: 1200, height: 675)))
        #expect(
            ImageFile.inspect(SampleImages.jpeg(width: 1920, height: 1080)) == .success(ImageInfo(format: .jpeg, width: 1920, height: 1080))
        )
        #expect(
            ImageFile.inspect(SampleImages.jpeg(width: 640, height: 480, sof: 0xC0))
                == .success(ImageInfo(format: .jpeg, width: 640, height: 480)))
        #expect(ImageFile.inspect(SampleImages.gif(width: 320, height: 240)) == .success(ImageInfo(format: .gif, width: 320, height: 240)))
        #expect(
            ImageFile.inspect(SampleImages.webpLossy(width: 800, height: 600))
                == .success(ImageInfo(format: .webp, width: 800, height: 600)))
        #expect(
            ImageFile.inspect(SampleImages.webpLossless(width: 1000, height: 3))
                == .success(ImageInfo(format: .webp, width: 1000, height: 3)))
        #expect(
            ImageFile.inspect(SampleImages.webpExtended(width: 4000, height: 2250))
                == .success(ImageInfo(format: .webp, width: 4000, height: 2250)))
    }

    @Test("a JPEG's DHT segment is not mistaken for a frame header")
    func jpegSkipsDHT() {
        // DHT (C4) sits in the SOF range; its bytes must be skipped, not read as a size.
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC4] + SampleImages.be16(6) + [0x00, 0x7F, 0x7F, 0x00]
        bytes += Array(SampleImages.jpeg(width: 50, height: 40).dropFirst(2))
        #expect(ImageFile.inspect(bytes) == .success(ImageInfo(format: .jpeg, width: 50, height: 40)))
    }

    @Test("text, HTML and other files are not pictures, whatever their name")
    func fakes() {
        #expect(ImageFile.inspect(Array("Това е текст, наречен снимка.jpg".utf8)) == .failure(.notAnImage))
        #expect(ImageFile.inspect(Array("<svg onload=alert(1)></svg>".utf8)) == .failure(.notAnImage))
        #expect(ImageFile.inspect(Array("%PDF-1.7".utf8)) == .failure(.notAnImage))
        #expect(ImageFile.inspect([]) == .failure(.notAnImage))
        #expect(ImageFile.inspect(Array("RIFF\u{0}\u{0}\u{0}\u{0}WAVEfmt ".utf8)) == .failure(.notAnImage))
    }

    @Test("cut-short and inconsistent headers are damaged")
    func damaged() {
        for image in [
            SampleImages.png(width: 10, height: 10), SampleImages.jpeg(width: 10, height: 10), SampleImages.gif(width: 10, height: 10),
            SampleImages.webpLossy(width: 10, height: 10), SampleImages.webpExtended(width: 10, height: 10),
        ] {
            // Cut within the header (the magic number survives).
            #expect(ImageFile.inspect(Array(image.prefix(12))) == .failure(.damaged))
        }
        // A PNG without its IEND (cut short at the end).
        #expect(ImageFile.inspect(Array(SampleImages.png(width: 10, height: 10).dropLast(12))) == .failure(.damaged))
        // A WebP whose RIFF size claims more than there is.
        #expect(ImageFile.inspect(Array(SampleImages.webpLossy(width: 10, height: 10).dropLast(2))) == .failure(.damaged))
        // Zero and absurd sizes.
        #expect(ImageFile.inspect(SampleImages.png(width: 0, height: 10)) == .failure(.damaged))
        #expect(ImageFile.inspect(SampleImages.gif(width: 65_000, height: 10)) == .failure(.damaged))
        // A JPEG that reaches its scan before any frame header.
        #expect(ImageFile.inspect([0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 2, 3, 4, 5, 6]) == .failure(.damaged))
    }

    @Test("media addresses accept exactly <sha256>.<ext>")
    func addresses() {
        let bytes = Array("abc".utf8)
        let address = MediaAddress(bytes: bytes, format: .png)
        #expect(address.hash == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(address.path == "/media/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad.png")
        #expect(MediaAddress(path: address.path) == address)
        #expect(MediaAddress(fileName: address.hash + ".jpg")?.format == .jpeg)
        for bad in [
            "../../etc/passwd", address.hash + ".svg", address.hash.uppercased() + ".png", address.hash + ".png.png",
            String(address.hash.dropLast()) + ".png", address.hash + "/.png", "..%2F" + address.hash + ".png", address.hash,
            String(address.hash.dropLast()) + "g.png",
        ] {
            #expect(MediaAddress(fileName: bad) == nil, "\(bad)")
        }
        #expect(MediaAddress(path: "/static/" + address.fileName) == nil)
    }

    @Test("embeds from the addresses editors copy, with strict ids")
    func embeds() {
        #expect(Embed(url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42") == Embed(provider: .youtube, id: "dQw4w9WgXcQ"))
        #expect(Embed(url: "https://youtu.be/dQw4w9WgXcQ")?.id == "dQw4w9WgXcQ")
        #expect(Embed(url: "https://m.youtube.com/shorts/dQw4w9WgXcQ")?.id == "dQw4w9WgXcQ")
        #expect(Embed(url: "https://x.com/vestnik/status/1790000000000000001") == Embed(provider: .x, id: "1790000000000000001"))
        #expect(Embed(url: "https://twitter.com/vestnik/status/123?s=20")?.provider == .x)
        #expect(Embed(url: "https://www.facebook.com/vestnik.bg/posts/pfbid02Abc")?.id == "vestnik.bg/posts/pfbid02Abc")
        #expect(Embed(url: "https://www.facebook.com/share/p/1AbCdE/")?.id == "share/p/1AbCdE")
        for bad in [
            "https://evil.example/watch?v=dQw4w9WgXcQ", "javascript:alert(1)//youtu.be/dQw4w9WgXcQ", "https://youtu.be/short",
            "https://www.youtube.com/watch?v=dQw4w9WgXc\"", "https://x.com/vestnik/status/12ab", "https://x.com/vestnik",
            "https://www.facebook.com/vestnik", "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", "ftp://youtu.be/dQw4w9WgXcQ",
        ] {
            #expect(Embed(url: bad) == nil, "\(bad)")
        }
        #expect(Embed(kind: "youtube", id: "dQw4w9WgXcQ\" onload=\"x") == nil)
        #expect(Embed(kind: "vimeo", id: "123") == nil)
        let marker = Embed(provider: .youtube, id: "dQw4w9WgXcQ")!.marker
        #expect(marker == "<figure class=\"embed\" data-embed=\"youtube\" data-id=\"dQw4w9WgXcQ\"></figure>")
        #expect(Embed(marker: marker)?.id == "dQw4w9WgXcQ")
        #expect(Embed(marker: "<figure class=\"embed\" data-embed=\"youtube\" data-id=\"bad\"></figure>") == nil)
    }
}

@Suite("Body sanitizer: pictures and embeds")
struct SanitizerMediaTests {
    static let hash = String(repeating: "ab", count: 32)
    static let src = "/media/\(hash).png"

    @Test("a library picture keeps its shape, alt, size and caption")
    func libraryPicture() {
        let html =
            "<figure contenteditable=\"false\"><img src=\"\(Self.src)\" alt=\"Площад „Независимост“\" width=\"1200\" height=\"675\" onerror=\"alert(1)\"><figcaption>Снимка: <b>БТА</b></figcaption></figure>"
        #expect(
            BodySanitizer.sanitize(html)
                == "<figure><img src=\"\(Self.src)\" alt=\"Площад „Независимост“\" width=\"1200\" height=\"675\" loading=\"lazy\"><figcaption>Снимка: <strong>БТА</strong></figcaption></figure>"
        )
        // A picture inside a paragraph becomes a block of its own, between paragraphs.
        #expect(
            BodySanitizer.sanitize("<p>Преди</p><img src=\"\(Self.src)\" alt=\"x\"><p>След</p>")
                == "<p>Преди</p>\n<figure><img src=\"\(Self.src)\" alt=\"x\" loading=\"lazy\"></figure>\n<p>След</p>")
    }

    @Test(
        "hostile pictures are dropped or defused",
        arguments: [
            "<img src=\"javascript:alert(1)\">",
            "<img src=\"http://example.com/x.png\" alt=\"x\">",
            "<img src=\"HTTP://example.com/x.png\" alt=\"x\">",
            "<img src=\"https:///x.png\" alt=\"x\">",
            "<img src=\"https://user:secret@example.com/x.png\" alt=\"x\">",
            "<img src=\"https://example.com/a b.png\" alt=\"x\">",
            "<img src=\"https://example.com/x.png&quot; onerror=&quot;alert(1)\" alt=\"x\">",
            "<img src=\"https://example.com/x.png'onerror='alert(1)\" alt=\"x\">",
            "<img src=\"https://example.com/&lt;script&gt;.png\" alt=\"x\">",
            "<img src=\"https://example.com/\(String(repeating: "a", count: 2_000)).png\" alt=\"x\">",
            "<img src=\"javascript://example.com/%0Aalert(1)\" alt=\"x\">",
            "<img src=\"data:image/svg+xml,&lt;svg onload=alert(1)&gt;\" alt=\"x\">",
            "<img src=\"//evil.example/media/\(String(repeating: "ab", count: 32)).png\">",
            "<img src=\"/media/../vestnik.sqlite\">",
            "<img src=\"/media/\(String(repeating: "ab", count: 32)).svg\">",
            "<img src=\"data:image/png;base64,iVBORw0KGgo=\">",
            "<img srcset=\"https://evil.example/a.png 1x\" src=\"x\">",
            "<figure><iframe src=\"https://evil.example/\"></iframe></figure>",
            "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
            "<iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>",
            "<figure class=\"embed\" data-embed=\"youtube\" data-id='dQw4w9WgXcQ\" onload=\"alert(1)'></figure>",
            "<figure class=\"embed\" data-embed=\"youtube\" data-id=\"dQw4w9WgXc&quot;\"></figure>",
            "<figure class=\"embed\" data-embed=\"script\" data-id=\"1\"></figure>",
            "<figure data-embed=\"x\" data-id=\"javascript:alert(1)\"></figure>",
            "<object data=\"https://evil.example/x.swf\"></object><embed src=\"https://evil.example/x.swf\">",
        ])
    func hostile(_ html: String) {
        let out = BodySanitizer.sanitize(html)
        #expect(out == "", "\(out)")
    }

    @Test("a picture elsewhere on the web (https) is kept with its alt text, size and caption, and through a re-save")
    func externalPictures() {
        let kept = BodySanitizer.sanitize(
            "<p>Преди</p><figure><img src=\" https://cdn.bta.bg/photos/2026/площад.jpg?w=1200&amp;q=80 \" alt=\"Площадът\" width=\"1200\" height=\"800\" onerror=\"alert(1)\" style=\"x\"><figcaption>Снимка: БТА</figcaption></figure><p>След</p>"
        )
        let figure =
            "<figure><img src=\"https://cdn.bta.bg/photos/2026/%D0%BF%D0%BB%D0%BE%D1%89%D0%B0%D0%B4.jpg?w=1200&amp;q=80\" alt=\"Площадът\""
            + " width=\"1200\" height=\"800\" loading=\"lazy\"><figcaption>Снимка: БТА</figcaption></figure>"
        #expect(kept == "<p>Преди</p>\n\(figure)\n<p>След</p>")
        // What the editor posts back (its own figure, made uneditable) comes out the same: a re-save keeps it.
        let edited = kept.replacingOccurrences(of: "<figure>", with: "<figure contenteditable=\"false\">")
        #expect(BodySanitizer.sanitize(edited) == kept && BodySanitizer.sanitize(kept) == kept)
        // Without a size or an alt text it is kept too (alt empty: decorative), the scheme lowercased.
        #expect(
            BodySanitizer.sanitize("<img src=\"HTTPS://example.com/x.png\">")
                == "<figure><img src=\"https://example.com/x.png\" alt=\"\" loading=\"lazy\"></figure>")
    }

    @Test("a hostile attribute never survives next to a good picture")
    func attributes() {
        let out = BodySanitizer.sanitize(
            "<img src=\"\(Self.src)\" alt=\"a&quot; onerror=&quot;alert(1)\" width=\"100 onload=x\" height=\"-5\" style=\"x\" srcdoc=\"y\" onerror=\"alert(2)\">"
        )
        #expect(out == "<figure><img src=\"\(Self.src)\" alt=\"a&quot; onerror=&quot;alert(1)\" loading=\"lazy\"></figure>")
    }

    @Test("embed markers keep exactly their shape")
    func embeds() {
        for (kind, id) in [("youtube", "dQw4w9WgXcQ"), ("x", "1790000000000000001"), ("facebook", "share/p/1AbC")] {
            let marker = "<figure class=\"embed\" data-embed=\"\(kind)\" data-id=\"\(id)\"></figure>"
            #expect(
                BodySanitizer.sanitize(
                    "<p>а</p><figure class=\"embed\" data-embed=\"\(kind)\" data-id=\"\(id)\" contenteditable=\"false\" onclick=\"x\">junk</figure><p>б</p>"
                )
                    == "<p>а</p>\n\(marker)\n<p>б</p>")
        }
    }

    @Test("figures are blocks of their own, so «Още:» lands between paragraphs")
    func blocks() {
        let body = BodySanitizer.sanitize(
            "<p>Едно</p><figure class=\"embed\" data-embed=\"youtube\" data-id=\"dQw4w9WgXcQ\"></figure><p>Две</p><img src=\"\(Self.src)\" alt=\"x\"><p>Три</p>"
        )
        let blocks = ArticleBody.blocks(fromHTML: body)
        #expect(blocks.map(\.kind) == [.paragraph, .figure, .paragraph, .figure, .paragraph])
        let laidOut = InlineMoreBlocks(afterParagraphs: [1, 2], blockSizes: [1, 1]).layout(blocks, links: ["a", "b"])
        let shape = laidOut.map { segment -> String in
            switch segment {
            case .block(let block): return block.kind == .figure ? "F" : "P"
            case .more: return "M"
            }
        }
        #expect(shape == ["P", "M", "F", "P", "M", "F", "P"])
    }

    @Test("a credit typed with its own label is shown once: the page adds the label")
    func creditWithoutLabel() {
        #expect(ArticleImage.creditName("Снимка: БГНЕС") == "БГНЕС")
        #expect(ArticleImage.creditName("  снимки :  Иван Петров ") == "Иван Петров")
        #expect(ArticleImage.creditName("Photo: Reuters") == "Reuters")
        #expect(ArticleImage.creditName("БГНЕС") == "БГНЕС")
        // A colon that is not after a label is part of the name; a bare label is left as it was typed.
        #expect(ArticleImage.creditName("Архив: Държавна агенция") == "Архив: Държавна агенция")
        #expect(ArticleImage.creditName("Снимка:") == "Снимка:")
        let image = ArticleImage(
            address: MediaAddress(hash: String(repeating: "a", count: 64), format: .jpeg), width: 10, height: 10, alt: "",
            caption: "", credit: "Фото: Пресцентър", bytes: 1)
        #expect(image.credit == "Пресцентър")
    }
}
