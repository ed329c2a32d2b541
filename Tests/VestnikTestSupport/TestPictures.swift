import Foundation
import Testing
import VestnikCore
import VestnikStore

/// Real pictures (Pictures/README.md says what each is), and whether libvips is here to render them.
public enum TestPictures {
    public static func bytes(_ name: String) -> [UInt8] {
        let file = Bundle.module.url(forResource: "Pictures/" + name, withExtension: nil)!
        return [UInt8](try! Data(contentsOf: file))
    }

    /// Why a test that needs libvips does not run here, or nil when it does (CI installs libvips42).
    public static var vipsMissing: String? {
        if case .missing(let why) = Vips.availability { return "libvips is not installed (\(why)): apt-get install libvips42" }
        return nil
    }

    /// The trait of the tests that render: they skip where libvips is missing, and say why.
    public static let needsVips = ConditionTrait.enabled(if: vipsMissing == nil, Comment(rawValue: vipsMissing ?? "libvips is here"))

    /// The format a file's bytes say they are: JPEG, PNG, WebP and GIF by `ImageFile`, AVIF by its `ftyp` box.
    public static func format(of bytes: [UInt8]) -> ImageFormat? {
        if bytes.count > 12, Array(bytes[4..<12]) == Array("ftypavif".utf8) { return .avif }
        if case .success(let info) = ImageFile.inspect(bytes) { return info.format }
        return nil
    }
}
