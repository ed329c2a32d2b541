import Testing
@testable import VestnikCore
import VestnikTestSupport

@Suite("Media: pictures lose where, when and by whom they were taken")
struct ImageScrubberTests {
    static let phoneFiles: [(ImageFormat, [UInt8])] = [
        (.jpeg, PhoneMetadata.jpeg(width: 4032, height: 3024)), (.jpeg, PhoneMetadata.jpeg(width: 640, height: 480, littleEndian: true)),
        (.png, PhoneMetadata.png(width: 1200, height: 900)), (.webp, PhoneMetadata.webp(width: 800, height: 600)),
        (.gif, PhoneMetadata.gif(width: 40, height: 30)),
    ]

    static let trailer = Array("TRAILING-SECOND-IMAGE".utf8)

    @Test("GPS, serial, owner, XMP, IPTC, comments, thumbnails and trailing images are gone; the picture's header stays")
    func scrubsEveryFormat() throws {
        for (format, file) in Self.phoneFiles {
            #expect(!PhoneMetadata.leaks(file).isEmpty, "the sample carries nothing to remove: \(format)")
            let before = try ImageFile.inspect(file).get()
            let clean = try ImageScrubber.scrub(file, format: format).get()
            #expect(PhoneMetadata.leaks(clean.bytes) == [], "\(format)")
            #expect(try ImageFile.inspect(clean.bytes).get() == before, "\(format)")
            #expect(clean.removed.isSuperset(of: [.location, .xmp]), "\(format): \(clean.removed)")
            #expect(clean.removed.contains(.trailer) == file.ends(with: Self.trailer), "\(format)")
            #expect(clean.bytes.count < file.count)
        }
    }

    @Test("a JPEG keeps only the orientation: a minimal EXIF block, no GPS, no IFD1; the credit comes from Artist")
    func jpegOrientation() throws {
        let clean = try ImageScrubber.scrub(PhoneMetadata.jpeg(width: 4032, height: 3024), format: .jpeg).get()
        #expect(clean.orientation == 6 && clean.credit == PhoneMetadata.artist)
        #expect(clean.removed == [.location, .exif, .thumbnail, .xmp, .iptc, .comment, .trailer])
        #expect(clean.displayed(width: 4032, height: 3024) == (3024, 4032))
        // The kept segments, in order: JFIF, the minimal EXIF, ICC, DQT, SOF0, SOS with its data, EOI.
        let exif = ExifBlock.jpegSegment(6)
        #expect(exif.count == 4 + 6 + 26)
        #expect(Array(clean.bytes[20..<(20 + exif.count)]) == exif)
        let summary = ExifSummary(tiff: clean.bytes[(20 + 4)..<(20 + exif.count)])
        #expect(summary.orientation == 6 && !summary.hasLocation && !summary.hasThumbnail && summary.credit == nil)
        #expect(clean.bytes.ends(with: [0x12, 0x34, 0xFF, 0x00, 0x56, 0xFF, 0xD0, 0x78, 0xFF, 0xD9]))
        // Upright pictures keep no EXIF at all.
        let upright = try ImageScrubber.scrub(PhoneMetadata.jpeg(width: 10, height: 10, orientation: 1), format: .jpeg).get()
        #expect(upright.orientation == 1 && !upright.bytes.contains(0xE1))
    }

    @Test("PNG, WebP and GIF: what stays is what decoders need (sRGB, VP8X without EXIF/XMP flags, looping)")
    func otherFormatsKeep() throws {
        let png = try ImageScrubber.scrub(PhoneMetadata.png(width: 1200, height: 900), format: .png).get()
        #expect(png.removed == [.location, .exif, .thumbnail, .xmp, .text])
        #expect(png.orientation == 6 && png.credit == PhoneMetadata.artist)
        let chunks = ["IHDR", "sRGB", "eXIf", "IDAT", "IEND"].map { Array($0.utf8) }
        for name in chunks { #expect(png.bytes.firstRange(of: name) != nil) }
        // The kept eXIf holds only the orientation, with a correct CRC.
        let exif = ExifBlock.orientationOnly(6)
        let at = try #require(png.bytes.firstRange(of: Array("eXIf".utf8))).upperBound
        #expect(Array(png.bytes[at..<(at + exif.count)]) == exif)
        #expect(
            Array(png.bytes[(at + exif.count)..<(at + exif.count + 4)]) == SampleImages.be32(Int(CRC32.checksum(Array("eXIf".utf8) + exif)))
        )

        let webp = try ImageScrubber.scrub(PhoneMetadata.webp(width: 800, height: 600), format: .webp).get()
        #expect(webp.bytes[20] == 0x00, "the EXIF and XMP flags are cleared")
        #expect(Array(webp.bytes[4..<8]) == SampleImages.le32(webp.bytes.count - 8))
        #expect(webp.bytes.count == 12 + (8 + 10) + (8 + 12), "RIFF, VP8X, VP8 ")
        let turned = try ImageScrubber.scrub(PhoneMetadata.webp(width: 800, height: 600, orientation: 8), format: .webp).get()
        #expect(turned.bytes[20] == 0x08 && turned.orientation == 8 && turned.bytes.firstRange(of: ExifBlock.orientationOnly(8)) != nil)
        // A simple WebP (no VP8X) cannot announce an EXIF chunk: it is dropped, and the size is not turned.
        let simple = SampleImages.webp(
            chunk: "VP8 ", payload: [0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A] + SampleImages.le16(8) + SampleImages.le16(4) + [0, 0])
        let camera = PhoneMetadata.tiff(orientation: 6, littleEndian: true)
        let chunk = Array("EXIF".utf8) + SampleImages.le32(camera.count) + camera + (camera.count % 2 == 1 ? [0] : [])
        let withExif = Array(simple.prefix(4)) + SampleImages.le32(simple.count - 8 + chunk.count) + Array(simple.dropFirst(8)) + chunk
        let plain = try ImageScrubber.scrub(withExif, format: .webp).get()
        #expect(plain.bytes == simple && plain.orientation == 1 && plain.displayed(width: 8, height: 4) == (8, 4))

        let gif = try ImageScrubber.scrub(PhoneMetadata.gif(width: 40, height: 30), format: .gif).get()
        #expect(gif.removed == [.comment, .xmp, .location, .application, .trailer])
        #expect(gif.bytes.firstRange(of: Array("NETSCAPE2.0".utf8)) != nil && gif.bytes.last == 0x3B)
    }

    @Test("a clean file comes out byte for byte the same, and a scrubbed file is clean")
    func cleanAndIdempotent() throws {
        let clean: [(ImageFormat, [UInt8])] = [
            (.png, SampleImages.png(width: 10, height: 10)), (.jpeg, SampleImages.jpeg(width: 10, height: 10)),
            (.gif, SampleImages.gif(width: 10, height: 10)), (.webp, SampleImages.webpLossy(width: 10, height: 10)),
            (.webp, SampleImages.webpLossless(width: 10, height: 10)), (.webp, SampleImages.webpExtended(width: 10, height: 10)),
        ]
        for (format, file) in clean {
            let result = try ImageScrubber.scrub(file, format: format).get()
            #expect(result.bytes == file && result.removed.isEmpty && result.orientation == 1, "\(format)")
        }
        for (format, file) in Self.phoneFiles {
            let once = try ImageScrubber.scrub(file, format: format).get()
            let twice = try ImageScrubber.scrub(once.bytes, format: format).get()
            #expect(twice.bytes == once.bytes && twice.removed.isEmpty && twice.orientation == once.orientation, "\(format)")
        }
    }

    @Test("every cut-short file is refused, never half-written")
    func truncated() {
        for (format, file) in Self.phoneFiles {
            // Up to the end marker (EOI, IEND, the RIFF's end, the GIF trailer); past it is the trailing image.
            let end = file.count - (file.ends(with: Self.trailer) ? Self.trailer.count : 0)
            for length in 0..<end {
                #expect(ImageScrubber.scrub(Array(file.prefix(length)), format: format) == .failure(.damaged), "\(format) cut at \(length)")
            }
        }
    }

    @Test("lengths that lie are refused: a JPEG segment, a PNG chunk, a WebP chunk, a GIF block")
    func lyingLengths() {
        let jpeg = SampleImages.jpeg(width: 10, height: 10)
        let head = Array(jpeg.prefix(4))
        let afterLength = Array(jpeg.dropFirst(6))
        let afterSOI = Array(jpeg.dropFirst(2))
        let lies: [[UInt8]] = [[0x00, 0x01], [0xFF, 0xFF]].map { head + $0 + afterLength }
        let noMarker: [[UInt8]] = [[0x00], [0xFF, 0x00]].map { [0xFF, 0xD8] + $0 + afterSOI }
        for bad in lies + noMarker {
            #expect(ImageScrubber.scrub(bad, format: .jpeg) == .failure(.damaged))
        }
        let png = SampleImages.png(width: 10, height: 10)
        #expect(
            ImageScrubber.scrub([UInt8](png.prefix(8)) + [0xFF, 0xFF, 0xFF, 0xF0] + png.dropFirst(12), format: .png) == .failure(.damaged))
        #expect(
            ImageScrubber.scrub([UInt8](png.prefix(12)) + Array("I\u{0}DR".utf8) + png.dropFirst(16), format: .png) == .failure(.damaged))
        // IHDR must come first.
        #expect(ImageScrubber.scrub([UInt8](png.prefix(8)) + png.suffix(12) + png.dropFirst(8), format: .png) == .failure(.damaged))
        var webp = SampleImages.webpLossy(width: 10, height: 10)
        webp.replaceSubrange(16..<20, with: SampleImages.le32(0x7FFF_FFFF))
        #expect(ImageScrubber.scrub(webp, format: .webp) == .failure(.damaged))
        var riff = SampleImages.webpLossy(width: 10, height: 10)
        riff.replaceSubrange(4..<8, with: SampleImages.le32(0xFFFF_FFFF))
        #expect(ImageScrubber.scrub(riff, format: .webp) == .failure(.damaged))
        let gif = SampleImages.gif(width: 10, height: 10)
        #expect(ImageScrubber.scrub(Array(gif.dropLast()) + [0x99, 0x3B], format: .gif) == .failure(.damaged))
        // A sub-block length running past the end.
        #expect(ImageScrubber.scrub(Array(gif.dropLast()) + [0x21, 0xFE, 200, 1, 2, 0x3B], format: .gif) == .failure(.damaged))
    }

    @Test("EXIF is read in both byte orders; a block that does not hold together yields nothing and crashes nothing")
    func exifSummary() {
        for le in [false, true] {
            let summary = ExifSummary(tiff: ArraySlice(PhoneMetadata.tiff(orientation: 8, littleEndian: le)))
            #expect(summary.orientation == 8 && summary.hasLocation && summary.hasThumbnail && summary.credit == PhoneMetadata.artist)
        }
        let tiff = PhoneMetadata.tiff()
        for length in 0..<tiff.count {
            let cut = ExifSummary(tiff: tiff.prefix(length))
            #expect((1...8).contains(cut.orientation))
        }
        #expect(ExifSummary(tiff: ArraySlice(Array("MM\u{0}*\u{FF}\u{FF}\u{FF}\u{FF}".utf8))) == ExifSummary())
        #expect(ExifSummary.text(ArraySlice(Array("  Name\u{7}\u{0}rest".utf8))) == "Name")
        #expect(ExifSummary.text(ArraySlice([0xC3, 0x28])) == nil)
    }

    @Test("decompression bombs are refused by their header: 50 megapixels and 12,000 pixels a side at most")
    func pixelCap() {
        #expect(ImageFile.inspect(SampleImages.png(width: 30_000, height: 30_000)) == .failure(.tooManyPixels))
        #expect(ImageFile.inspect(SampleImages.png(width: 12_001, height: 10)) == .failure(.tooManyPixels))
        #expect(ImageFile.inspect(SampleImages.gif(width: 10, height: 12_001)) == .failure(.tooManyPixels))
        #expect(ImageFile.inspect(SampleImages.webpExtended(width: 8_000, height: 7_000)) == .failure(.tooManyPixels))
        #expect(
            ImageFile.inspect(SampleImages.jpeg(width: 8_000, height: 6_000))
                == .success(ImageInfo(format: .jpeg, width: 8_000, height: 6_000)))
        #expect(
            ImageFile.inspect(SampleImages.png(width: 12_000, height: 4_000))
                == .success(ImageInfo(format: .png, width: 12_000, height: 4_000)))
    }

    @Test("CRC-32 as PNG computes it")
    func crc() {
        #expect(CRC32.checksum(Array("IEND".utf8)) == 0xAE42_6082)
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && self[(count - suffix.count)...].elementsEqual(suffix) }
}
