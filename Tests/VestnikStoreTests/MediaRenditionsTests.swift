import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// The renditions of real pictures, made by libvips and read back; and the durable queue that makes them. The tests
/// that render skip (and say so) where libvips is not installed; CI installs it.
@Suite struct MediaRenditionsTests {
    static let needsVips = TestPictures.needsVips

    /// A fresh media folder holding `name` (its bytes as they are: the old library was not scrubbed), and its row.
    static func library(
        _ database: Database, _ name: String, bytes: [UInt8]? = nil, format: ImageFormat = .jpeg, width: Int, height: Int,
        focus: FocalPoint = .centre
    ) async throws -> (MediaRenditions, MediaItem, MediaFiles) {
        let files = MediaFiles(folder: FileManager.default.temporaryDirectory.appendingPathComponent("renditions-\(UUID().uuidString)"))
        let data = bytes ?? TestPictures.bytes(name)
        let address = MediaAddress(bytes: data, format: format)
        try files.store(data, at: address)
        var item = MediaItem(address: address, width: width, height: height, bytes: data.count, alt: name, uploadedAt: testNow)
        item.focus = focus
        try await MediaRepository(database: database).add(item, uploadedBy: nil)
        return (MediaRenditions(database: database, files: files), item, files)
    }

    /// Claims and processes every waiting job as `node`.
    static func drain(_ renditions: MediaRenditions, node: String = "test", at now: Date = testNow) async throws -> [RenditionJob.State] {
        var states: [RenditionJob.State] = []
        while let item = try await renditions.claim(node: node, now: now) {
            states.append(try await renditions.process(item, node: node, now: { now }))
        }
        return states
    }

    @Test(
        "a JPEG gets every width up to its own in JPEG, WebP and AVIF, and three crops; real sizes and formats, no GPS",
        needsVips, arguments: TestDatabase.all)
    func makesRenditions(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (renditions, item, files) = try await Self.library(database, "photo-gps.jpg", width: 2400, height: 1600)
            try await renditions.enqueue(item.address.hash, now: testNow)
            #expect(try await Self.drain(renditions) == [.done])
            let made = try await renditions.renditions(of: item.address.hash)
            var formats: [ImageFormat] = [.jpeg, .webp]
            if case .ready(_, true) = renditions.availability { formats.append(.avif) }
            let whole = made.filter { $0.crop == nil }
            #expect(Set(whole.map(\.format)) == Set(formats))
            for format in formats {
                #expect(whole.filter { $0.format == format }.map(\.width).sorted() == [320, 640, 960, 1280, 1920])
            }
            for rendition in made {
                let bytes = try #require(files.read(rendition.address)).map { $0 }
                // What the file really is, read back from its bytes: format, and size by libvips' decoder.
                #expect(TestPictures.format(of: bytes) == rendition.format)
                #expect(MediaAddress(bytes: bytes, format: rendition.format) == rendition.address)
                let header = try Vips.header(of: files.folder.appendingPathComponent(rendition.address.fileName))
                #expect(header.width == rendition.width && header.height == rendition.height)
                #expect(header.bits == 8 && header.bands == 3)
                if rendition.crop == nil {
                    #expect(rendition.height == Int((Double(rendition.width) * 1600 / 2400).rounded()))
                }
                // No location, camera or owner data survives, in any format.
                #expect(!bytes.contains(subsequence: Array("Camera maker".utf8)))
                if rendition.format == .jpeg { #expect(ImageScrubber.scrub(bytes, format: .jpeg).map(\.removed) == .success([])) }
                if rendition.format == .webp {
                    // libvips 8.14's WebP saver writes a minimal EXIF block of its own (resolution, orientation 1).
                    let removed = try ImageScrubber.scrub(bytes, format: .webp).get().removed
                    #expect(!removed.contains(.location))
                }
            }
            // The crops are 1200 wide (what Open Graph and Google's article results want) in the three shapes.
            let crops = made.shareCrops
            #expect(crops.map(\.crop) == CropRatio.allCases && crops.allSatisfy { $0.format == .jpeg && $0.width == 1200 })
            for crop in crops {
                let ratio = try #require(crop.crop)
                #expect(abs(crop.height - 1200 * ratio.height / ratio.width) <= 1)
            }
            // The cards' small 4×3 crops, in every format, and the shared 4×3 crop with them.
            let cards = made.cardCrops
            #expect(Set(cards.filter { $0.width < 1200 }.map(\.format)) == Set(formats))
            #expect(
                cards.map(\.width) == [Int](repeating: 320, count: formats.count) + [Int](repeating: 640, count: formats.count) + [1200])
            #expect(cards.allSatisfy { abs($0.height - $0.width * 3 / 4) <= 1 })
            // A second run finds nothing to do.
            #expect(try await renditions.enqueueMissing(retry: false, now: testNow) == 0)
            #expect(try await Self.drain(renditions).isEmpty)
            // A picture rendered before the cards' crops existed gets them with the next run.
            try await database.write { db in
                try await db.raw("DELETE FROM media_renditions WHERE crop = '4x3' AND width < 1200").run()
            }
            #expect(try await renditions.enqueueMissing(retry: false, now: testNow) == 1)
            #expect(try await Self.drain(renditions) == [.done])
            #expect(try await renditions.renditions(of: item.address.hash).cardCrops.count == cards.count)
        }
    }

    @Test("orientation is applied; CMYK and 16-bit pictures come out 8-bit sRGB", needsVips, arguments: TestDatabase.all)
    func convertsToWhatBrowsersShow(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            for (name, format, width, height) in [
                ("rotated.jpg", ImageFormat.jpeg, 200, 300), ("cmyk.jpg", .jpeg, 400, 300), ("deep.png", .png, 400, 300),
            ] {
                let (renditions, item, files) = try await Self.library(database, name, format: format, width: width, height: height)
                try await renditions.enqueue(item.address.hash, now: testNow)
                #expect(try await Self.drain(renditions) == [.done], "\(name)")
                let made = try await renditions.renditions(of: item.address.hash)
                // The steps below its width, and its own width (as shown: the rotated one is 200 wide).
                let whole = made.filter { $0.crop == nil && $0.format == format }.sorted { $0.width < $1.width }
                #expect(whole.map(\.width) == RenditionPlan.widths(forWidth: width), "\(name)")
                #expect(whole.last.map { ($0.width, $0.height) } ?? (0, 0) == (width, height), "\(name)")
                for rendition in made {
                    let header = try Vips.header(of: files.folder.appendingPathComponent(rendition.address.fileName))
                    #expect(header.bands == 3 && header.bits == 8, "\(name) \(rendition.format)")
                }
                // The square crop of an upright picture is as wide as it is.
                #expect(
                    made.first { $0.crop == .square }.map { ($0.width, $0.height) } ?? (0, 0) == (min(width, height), min(width, height)))
            }
        }
    }

    @Test(
        "a cut-short JPEG fails with libvips' reason; a GIF and an animation are served as uploaded", needsVips, arguments: TestDatabase.all
    )
    func badInput(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let photo = TestPictures.bytes("photo-gps.jpg")
            let (cut, cutItem, _) = try await Self.library(
                database, "cut", bytes: Array(photo.prefix(photo.count / 2)), width: 2400, height: 1600)
            try await cut.enqueue(cutItem.address.hash, now: testNow)
            #expect(try await Self.drain(cut) == [.failed])
            let job = try #require(try await cut.job(cutItem.address.hash))
            #expect(job.state == .failed && job.fileIsDamaged && !job.error.isEmpty)
            #expect(try await cut.renditions(of: cutItem.address.hash).isEmpty)

            let (gif, gifItem, _) = try await Self.library(database, "animated.gif", format: .gif, width: 40, height: 30)
            try await gif.enqueue(gifItem.address.hash, now: testNow)
            #expect(try await Self.drain(gif) == [.skipped])
            #expect(try await gif.job(gifItem.address.hash)?.error == RenditionJob.skippedGIF)
            // A failed job is tried again only when asked.
            #expect(try await cut.enqueueMissing(retry: false, now: testNow) == 0)
            #expect(try await cut.enqueueMissing(retry: true, now: testNow) == 1)
        }
    }

    @Test(
        "without a point set, the crops follow libvips' attention point, which is stored; a point set later replaces it and the old crops' files go",
        needsVips, arguments: TestDatabase.all)
    func attentionUntilAPointIsSet(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (renditions, item, files) = try await Self.library(database, "photo-gps.jpg", width: 2400, height: 1600)
            let found = try Vips.attention(of: files.folder.appendingPathComponent(item.address.fileName))
            // The picture has somewhere to look (its red disc, its blue block): not the centre.
            #expect(abs(found.x - 0.5) > 0.1 || abs(found.y - 0.5) > 0.1)
            try await renditions.enqueue(item.address.hash, now: testNow)
            #expect(try await Self.drain(renditions) == [.done])
            let repository = MediaRepository(database: database)
            let stored = try #require(try await repository.item(hash: item.address.hash))
            #expect(!stored.focusSet && abs(stored.focus.x - found.x) < 0.0001 && abs(stored.focus.y - found.y) < 0.0001)
            let made = try await renditions.renditions(of: item.address.hash)
            // The crops are those around the found point (the same bytes as made for it by hand), not the centre's.
            var atPoint = stored
            atPoint.focus = found
            guard case .made(let expected) = try RenditionMaker(files: files).make(atPoint, avif: false) else {
                Issue.record("nothing made")
                return
            }
            var atCentre = stored
            atCentre.focus = .centre
            guard case .made(let centred) = try RenditionMaker(files: files).make(atCentre, avif: false) else {
                Issue.record("nothing made")
                return
            }
            let square = try #require(made.first { $0.crop == .square && $0.format == .jpeg })
            #expect(square.address == expected.first { $0.crop == .square }?.address)
            #expect(square.address != centred.first { $0.crop == .square }?.address)
            #expect(
                RenditionPlan.crop(width: 2400, height: 1600, ratio: .square, focus: found).contains(x: found.x * 2400, y: found.y * 1600))

            // An editor sets the point: it stays (no attention run over it), the crops move, the old files go.
            try await repository.setFocus(hash: item.address.hash, to: FocalPoint(x: 0.9, y: 0.2), now: testNow)
            #expect(try await Self.drain(renditions) == [.done])
            let set = try #require(try await repository.item(hash: item.address.hash))
            #expect(set.focusSet && set.focus == FocalPoint(x: 0.9, y: 0.2))
            let moved = try await renditions.renditions(of: item.address.hash)
            let movedSquare = try #require(moved.first { $0.crop == .square })
            #expect(movedSquare.address != square.address && files.read(movedSquare.address) != nil)
            #expect(files.read(square.address) == nil)
            // Files the new set still has (the whole picture's widths) stay.
            for rendition in moved { #expect(files.read(rendition.address) != nil) }
            #expect(files.read(item.address) != nil)
        }
    }

    @Test("the crops follow the focal point", needsVips, arguments: TestDatabase.all)
    func cropsFollowTheFocus(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            // The red disc is at (1900, 500) of 2400×1600.
            let (renditions, item, files) = try await Self.library(
                database, "photo-gps.jpg", width: 2400, height: 1600, focus: FocalPoint(x: 1900.0 / 2400, y: 500.0 / 1600))
            try await renditions.enqueue(item.address.hash, now: testNow)
            #expect(try await Self.drain(renditions) == [.done])
            let square = try #require(try await renditions.renditions(of: item.address.hash).first { $0.crop == .square })
            // Cut from the right-hand 1600×1600, so the disc (right of centre in the whole) is left of centre here.
            let crop = RenditionPlan.crop(width: 2400, height: 1600, ratio: .square, focus: item.focus)
            #expect(crop == CropRectangle(left: 800, top: 0, width: 1600, height: 1600))
            #expect(files.read(square.address) != nil)
        }
    }

    // MARK: The queue

    @Test("one node gets a job; a node that died lets its lease run out and another resumes it", arguments: TestDatabase.all)
    func claims(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (renditions, item, _) = try await Self.library(
                database, "x", bytes: Array("not decoded here".utf8), width: 10, height: 10)
            try await renditions.enqueue(item.address.hash, now: testNow)
            #expect(try await renditions.hasWork(now: testNow))
            #expect(try await renditions.claim(node: "a", now: testNow)?.address == item.address)
            // Held by a: nobody else gets it, and nothing waits.
            #expect(try await renditions.claim(node: "b", now: testNow) == nil)
            #expect(try await !renditions.hasWork(now: testNow))
            // a dies (a restart mid-job): once its lease has run out the job waits again, and b takes it over.
            let later = testNow.addingTimeInterval(renditions.lease + 1)
            #expect(try await renditions.hasWork(now: later))
            #expect(try await renditions.claim(node: "b", now: later)?.address == item.address)
            #expect(try await renditions.job(item.address.hash)?.attempts == 2)
            // a, back, cannot record over b's claim.
            _ = try await renditions.process(item, node: "a", now: { later })
            #expect(try await renditions.job(item.address.hash)?.state == .working)
            // After the last attempt dies too, the job fails instead of looping for ever.
            let muchLater = later.addingTimeInterval(renditions.lease + 1)
            #expect(try await renditions.claim(node: "c", now: muchLater) != nil)
            #expect(try await renditions.claim(node: "d", now: muchLater.addingTimeInterval(renditions.lease + 1)) == nil)
            #expect(try await renditions.job(item.address.hash)?.state == .failed)
        }
    }

    @Test(
        "a restarted process takes back at once what a dead process of its host held, not what live ones hold", arguments: TestDatabase.all)
    func releasesDeadClaims(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (renditions, first, _) = try await Self.library(database, "a", bytes: Array("a".utf8), width: 10, height: 10)
            let second = MediaItem(
                address: MediaAddress(bytes: Array("b".utf8), format: .jpeg), width: 10, height: 10, bytes: 1, alt: "b", uploadedAt: testNow
            )
            let third = MediaItem(
                address: MediaAddress(bytes: Array("c".utf8), format: .jpeg), width: 10, height: 10, bytes: 1, alt: "c", uploadedAt: testNow
            )
            for item in [second, third] { try await MediaRepository(database: database).add(item, uploadedBy: nil) }
            for item in [first, second, third] { try await renditions.enqueue(item.address.hash, now: testNow) }
            #expect(try await renditions.claim(node: "web1-4242-dead", now: testNow) != nil)
            #expect(try await renditions.claim(node: "web1-77-alive", now: testNow) != nil)
            #expect(try await renditions.claim(node: "web2-4242-elsewhere", now: testNow) != nil)
            let released = try await renditions.releaseClaims(ofDeadProcessesOn: "web1", node: "web1-1-me") { $0 == 77 }
            #expect(released == 1)
            #expect(try await renditions.claim(node: "web1-1-me", now: testNow) != nil)
            #expect(try await renditions.claim(node: "web1-1-me", now: testNow) == nil)
        }
    }

    @Test("a restart during processing resumes the pending jobs", needsVips, arguments: TestDatabase.all)
    func restartResumes(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (renditions, item, _) = try await Self.library(database, "rotated.jpg", width: 200, height: 300)
            try await renditions.enqueue(item.address.hash, now: testNow)
            // The first process claims it and stops before it has finished (no record).
            _ = try await renditions.claim(node: "before-restart", now: testNow)
            // A new process, on the same database, after the lease: the job is made.
            let restarted = MediaRenditions(database: database, files: renditions.files)
            let later = testNow.addingTimeInterval(restarted.lease + 1)
            #expect(try await Self.drain(restarted, node: "after-restart", at: later) == [.done])
            #expect(try await !restarted.renditions(of: item.address.hash).isEmpty)
        }
    }

    @Test(
        "a job decodes its picture once and makes from that copy the renditions that decoding the file for each makes; a tall picture is read per rendition",
        needsVips)
    func decodesOnce() throws {
        let files = MediaFiles(folder: FileManager.default.temporaryDirectory.appendingPathComponent("renditions-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: files.folder) }
        let data = TestPictures.bytes("photo-gps.jpg")
        let address = MediaAddress(bytes: data, format: .jpeg)
        try files.store(data, at: address)
        var item = MediaItem(address: address, width: 2400, height: 1600, bytes: data.count, alt: "", uploadedAt: testNow)
        item.focus = FocalPoint(x: 0.7, y: 0.35)
        let avif: Bool = if case .ready(_, let avif) = Vips.availability { avif } else { false }
        var perRendition = RenditionMaker(files: files)
        perRendition.decodedBudget = 0
        guard case .made(let once) = try RenditionMaker(files: files).make(item, avif: avif),
            case .made(let each) = try perRendition.make(item, avif: avif)
        else {
            Issue.record("nothing made")
            return
        }
        struct Shape: Equatable {
            var format: ImageFormat
            var crop: CropRatio?
            var width, height: Int
        }
        func shapes(_ made: [Rendition]) -> [Shape] {
            made.map { Shape(format: $0.format, crop: $0.crop, width: $0.width, height: $0.height) }
        }
        #expect(once.count == RenditionPlan.specs(format: .jpeg, width: 2400, height: 1600, avif: avif).count)
        #expect(shapes(once) == shapes(each))
        for rendition in once {
            let header = try Vips.header(of: files.folder.appendingPathComponent(rendition.address.fileName))
            #expect(header.width == rendition.width && header.height == rendition.height && header.bands == 3)
        }
        // The decoded copy's memory: a 4000×3000 photograph at 1920 wide fits the budget; a tall one does not, and is
        // read from its file for each rendition.
        #expect(RenditionMaker.decodedBytes(boxWidth: 1920, width: 4000, height: 3000) == 1920 * 1440 * 4)
        #expect(RenditionMaker.decodedBytes(boxWidth: 1920, width: 2000, height: 12000) > RenditionMaker(files: files).decodedBudget)
        #expect(RenditionMaker.decodedBytes(boxWidth: 1920, width: 800, height: 600) == 800 * 600 * 4)
    }

    @Test(
        "a picture's embedded colour profile is applied, from its file and from a decoded copy; without one the picture is taken as sRGB",
        needsVips)
    func colourProfile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("renditions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // The same pixels with and without their Display P3 profile.
        let tagged = TestPictures.bytes("p3.jpg")
        let untagged = Self.withoutColourProfile(tagged)
        #expect(untagged.count < tagged.count - 400, "p3.jpg carries a profile")
        let inputs = [folder.appendingPathComponent("tagged.jpg"), folder.appendingPathComponent("untagged.jpg")]
        try Data(tagged).write(to: inputs[0])
        try Data(untagged).write(to: inputs[1])
        func rendered(_ source: Vips.Source, _ name: String) throws -> [UInt8] {
            let output = folder.appendingPathComponent(name)
            // PNG: lossless, so equal pixels make equal files.
            let size = try Vips.render(source, to: output, box: (32, RenditionMaker.unbounded), quality: 80)
            #expect(size == (32, 24))
            return [UInt8](try Data(contentsOf: output))
        }
        let fromFiles = try inputs.enumerated().map { try rendered(.file($1), "file-\($0).png") }
        let fromCopies = try inputs.enumerated().map {
            try rendered(.decoded(try Vips.decode($1, box: (48, RenditionMaker.unbounded))), "copy-\($0).png")
        }
        // Converted from P3, the pixels are not the numbers stored: the profile made a difference.
        #expect(fromFiles[0] != fromFiles[1])
        #expect(fromCopies[0] != fromCopies[1])
    }

    /// `jpeg` without its colour profile (the APP2 `ICC_PROFILE` segments), every other byte as it was.
    static func withoutColourProfile(_ jpeg: [UInt8]) -> [UInt8] {
        var kept = Array(jpeg.prefix(2))
        var at = 2
        while at + 4 <= jpeg.count, jpeg[at] == 0xFF, jpeg[at + 1] != 0xDA {
            let end = min(jpeg.count, at + 2 + (Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])))
            if !(jpeg[at + 1] == 0xE2 && jpeg[(at + 4)..<end].starts(with: Array("ICC_PROFILE".utf8))) { kept += jpeg[at..<end] }
            at = end
        }
        return kept + jpeg[at...]
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { Array(self[$0..<$0 + needle.count]) == needle }
    }
}
