import Foundation
import Testing

@testable import VestnikCore

@Suite("Galleries: the body's marker")
struct GalleryCoreTests {
    static let a = MediaAddress(hash: String(repeating: "a", count: 64), format: .jpeg)
    static let b = MediaAddress(hash: String(repeating: "b", count: 64), format: .png)
    static let c = MediaAddress(hash: String(repeating: "c", count: 64), format: .webp)

    @Test("the marker names library pictures only, in order, each once, at most 60")
    func marker() throws {
        let gallery = try #require(Gallery(attribute: " \(Self.a.fileName),\(Self.b.fileName)  \(Self.a.fileName)\n\(Self.c.fileName) "))
        #expect(gallery.pictures == [Self.a, Self.b, Self.c])
        let marker = gallery.marker
        #expect(marker == "<figure class=\"gallery\" data-media=\"\(Self.a.fileName) \(Self.b.fileName) \(Self.c.fileName)\"></figure>")
        #expect(Gallery(marker: marker) == gallery)
        #expect(Gallery.isMarker(Array(marker.utf8)) && !Gallery.isMarker(Array("<figure><img src=\"/media/x\">".utf8)))
        // Nothing a library name is not: addresses, other extensions, upper case, a hash alone, markup.
        for bad in [
            "", "   ", "/media/\(Self.a.fileName)", "https://evil.example/\(Self.a.fileName)", "\(Self.a.hash).svg",
            Self.a.fileName.uppercased(), Self.a.hash, "\(Self.a.hash).jpg\" onload=\"alert(1)", "javascript:alert(1)",
            "\(Self.a.hash).jpg.jpg", "../\(Self.a.fileName)",
        ] {
            #expect(Gallery(attribute: bad) == nil, "\(bad)")
        }
        let many = (0..<100).map { MediaAddress(hash: String(format: "%064x", $0), format: .jpeg).fileName }
        #expect(Gallery(attribute: many.joined(separator: " "))?.pictures.count == Gallery.maxPictures)
        #expect(Gallery(marker: "<figure class=\"gallery\" data-media=\"\"></figure>") == nil)
        #expect(Gallery(marker: "<figure class=\"gallery\" data-media=\"") == nil)
    }

    @Test("the sanitizer keeps a gallery as its marker, whatever the editor or an attacker put around and inside it")
    func sanitized() {
        let names = "\(Self.a.fileName) \(Self.b.fileName)"
        let marker = "<figure class=\"gallery\" data-media=\"\(names)\"></figure>"
        let posted = [
            "<figure class=\"gallery\" data-media=\"\(names)\"></figure>",
            "<figure contenteditable=\"false\" class=\"nr-gallery gallery\" data-media='\(names)' onclick=\"alert(1)\"><figcaption>Галерия (2 снимки)</figcaption><img src=\"/media/\(Self.a.fileName)\" onerror=\"alert(1)\"><script>alert(2)</script></figure>",
            "<FIGURE CLASS=\"gallery\" DATA-MEDIA=\"\(names) https://evil.example/x.jpg\"><iframe src=\"https://evil.example\"></iframe></FIGURE>",
        ]
        for html in posted {
            #expect(BodySanitizer.sanitize("<p>Преди</p>" + html + "<p>След</p>") == "<p>Преди</p>\n\(marker)\n<p>След</p>", "\(html)")
        }
        // A gallery that names nothing is dropped; its inner text with it.
        #expect(
            BodySanitizer.sanitize("<p>Преди</p><figure class=\"gallery\" data-media=\"javascript:alert(1)\">текст</figure>")
                == "<p>Преди</p>")
        // The stored marker is stable through any number of saves, and found in the body.
        #expect(BodySanitizer.sanitize(BodySanitizer.sanitize(marker)) == marker)
        #expect(Gallery.all(in: "<p>x</p>\n\(marker)\n<p>y</p>\n\(marker)").count == 2)
        #expect(Gallery.all(in: "<p>&lt;figure class=\"gallery\" data-media=\"\(names)\"&gt;</p>").isEmpty)
    }
}
