import Testing
import VestnikCore

@Suite struct RenditionPlanTests {
    @Test("widths never exceed the picture's own; a narrower picture also gets its own width")
    func widths() {
        #expect(RenditionPlan.widths(forWidth: 4000) == [320, 640, 960, 1280, 1920])
        #expect(RenditionPlan.widths(forWidth: 1920) == [320, 640, 960, 1280, 1920])
        #expect(RenditionPlan.widths(forWidth: 1000) == [320, 640, 960, 1000])
        #expect(RenditionPlan.widths(forWidth: 640) == [320, 640])
        #expect(RenditionPlan.widths(forWidth: 200) == [200])
    }

    @Test("the picture's format, WebP, and AVIF only where it can be encoded; none for a GIF")
    func formats() {
        #expect(RenditionPlan.formats(of: .jpeg, avif: false) == [.jpeg, .webp])
        #expect(RenditionPlan.formats(of: .png, avif: true) == [.png, .webp, .avif])
        #expect(RenditionPlan.formats(of: .webp, avif: false) == [.webp])
        #expect(RenditionPlan.formats(of: .gif, avif: true).isEmpty)
        #expect(RenditionPlan.specs(format: .gif, width: 800, height: 600, avif: true).isEmpty)
    }

    @Test("every crop has its shape, fits the picture and contains the focal point, wherever it is")
    func cropsContainTheFocus() {
        for (width, height) in [(4000, 3000), (3000, 4000), (1200, 1200), (2400, 1600), (301, 7), (7, 301), (1, 1)] {
            for ratio in CropRatio.allCases {
                for x in stride(from: 0.0, through: 1.0, by: 0.05) {
                    for y in stride(from: 0.0, through: 1.0, by: 0.05) {
                        let focus = FocalPoint(x: x, y: y)
                        let crop = RenditionPlan.crop(width: width, height: height, ratio: ratio, focus: focus)
                        #expect(crop.left >= 0 && crop.top >= 0 && crop.left + crop.width <= width && crop.top + crop.height <= height)
                        #expect(crop.contains(x: x * Double(width), y: y * Double(height)), "\(width)×\(height) \(ratio) at \(x),\(y)")
                        // As large as the shape allows: it touches both sides one way or the other.
                        #expect(crop.width == width || crop.height == height)
                        // Its shape, to the pixel lost in rounding down.
                        if crop.width > 1 && crop.height > 1 {
                            #expect(abs(crop.width * ratio.height - crop.height * ratio.width) <= max(ratio.width, ratio.height))
                        }
                    }
                }
            }
        }
        // The centre by default.
        #expect(
            RenditionPlan.crop(width: 4000, height: 3000, ratio: .square, focus: .centre)
                == CropRectangle(left: 500, top: 0, width: 3000, height: 3000))
        #expect(FocalPoint(x: 7, y: -1) == FocalPoint(x: 1, y: 0) && FocalPoint(x: .nan, y: 0.25) == FocalPoint(x: 0.5, y: 0.25))
    }

    @Test("the three crops of a large picture are 1200 wide, in its own format; the cards' 4×3 crops 320 and 640 in each format")
    func cropSpecs() {
        let specs = RenditionPlan.specs(format: .jpeg, width: 4000, height: 3000, avif: false)
        let crops = specs.filter { $0.crop != nil }
        #expect(Array(crops.prefix(3)) == CropRatio.allCases.map { RenditionSpec(format: .jpeg, width: 1200, crop: $0) })
        #expect(
            Array(crops.dropFirst(3))
                == [ImageFormat.jpeg, .webp].flatMap { f in
                    [320, 640].map { RenditionSpec(format: f, width: $0, crop: .standard) }
                })
        #expect(specs.filter { $0.crop == nil }.count == 10)
        let small = RenditionPlan.specs(format: .png, width: 800, height: 600, avif: false)
        #expect(small.filter { $0.crop != nil }.map(\.width) == [800, 800, 600, 320, 640, 320, 640])
        // No card crop as wide as the shared 4×3 one (the same file twice), and none at all below 320.
        let narrow = RenditionPlan.specs(format: .jpeg, width: 640, height: 480, avif: true)
        #expect(narrow.filter { $0.crop == .standard }.map(\.width) == [640, 320, 320, 320])
        #expect(RenditionPlan.specs(format: .jpeg, width: 300, height: 200, avif: false).filter { $0.crop == .standard }.count == 1)
        // Each spec once: the table's key is the picture, shape, format and width.
        #expect(Set(narrow).count == narrow.count && Set(specs).count == specs.count)
    }
}

@Suite struct ByteRangeTests {
    @Test("one range is served; several, or nonsense, get the whole file; past the end is unsatisfiable")
    func ranges() {
        #expect(ByteRange(header: nil, size: 100) == .whole)
        #expect(ByteRange(header: "bytes=0-9", size: 100) == .part(0...9))
        #expect(ByteRange(header: "bytes=90-", size: 100) == .part(90...99))
        #expect(ByteRange(header: "bytes=90-500", size: 100) == .part(90...99))
        #expect(ByteRange(header: "bytes=-10", size: 100) == .part(90...99))
        #expect(ByteRange(header: "bytes=-1000", size: 100) == .part(0...99))
        #expect(ByteRange(header: "bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=-0", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=99999999999999999999999-", size: 100) == .unsatisfiable)
        #expect(ByteRange(header: "bytes=0-0,5-9", size: 100) == .whole)
        #expect(ByteRange(header: "bytes=9-1", size: 100) == .whole)
        #expect(ByteRange(header: "items=0-9", size: 100) == .whole)
        #expect(ByteRange(header: "bytes=a-b", size: 100) == .whole)
        #expect(ByteRange(header: "bytes=-", size: 100) == .whole)
        #expect(ByteRange(header: "bytes=0-9", size: 0) == .unsatisfiable)
    }
}
