import Foundation
import VestnikCore
import VestnikStore

// The renditions benchmark (bench/renditions.sh):
//
//   vestnik-bench renditions one --input PHOTO.jpg --width 1280 --runs N [--output OUT.jpg]
//       one rendition N times, in this process (each from the file, as vipsthumbnail makes it); OUT keeps the last
//   vestnik-bench renditions job --input PHOTO.jpg [--decode once|each]
//       one picture's whole job (every width, format and crop), then this process's peak RSS; `each` decodes the
//       file anew for every rendition (RenditionMaker.decodedBudget 0), `once` (the default) as a job does
//
// Each prints one line of `key=value` pairs for the script.

func runRenditions(_ arguments: [String]) throws {
    guard case .ready(let version, let avif) = Vips.availability else {
        print("error=libvips is not available: \(Vips.availability)")
        exit(1)
    }
    var input = ""
    var width = 1280
    var runs = 20
    var keep: String?
    var decodeOnce = true
    var iterator = arguments.dropFirst().makeIterator()
    while let argument = iterator.next() {
        switch argument {
        case "--input": input = iterator.next() ?? input
        case "--width": width = Int(iterator.next() ?? "") ?? width
        case "--runs": runs = Int(iterator.next() ?? "") ?? runs
        case "--output": keep = iterator.next()
        case "--decode": decodeOnce = iterator.next() != "each"
        default: break
        }
    }
    let source = URL(fileURLWithPath: input)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vestnik-bench-renditions-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    switch arguments.first {
    case "one":
        let output = folder.appendingPathComponent("out.jpg")
        let started = ContinuousClock.now
        for _ in 0..<runs {
            _ = try Vips.render(source, to: output, box: (width, RenditionMaker.unbounded), quality: 80)
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        print("libvips=\(version) runs=\(runs) seconds=\(seconds) per_second=\(Double(runs) / seconds) bytes=\(fileSize(output))")
        if let keep {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: output, to: URL(fileURLWithPath: keep))
        }
    case "job":
        let bytes = [UInt8](try Data(contentsOf: source))
        let files = MediaFiles(folder: folder)
        let address = MediaAddress(bytes: bytes, format: .jpeg)
        try files.store(bytes, at: address)
        let header = try Vips.header(of: source)
        let item = MediaItem(
            address: address, width: header.width, height: header.height, bytes: bytes.count, alt: "bench", uploadedAt: Date())
        let before = peakRSSKiB()
        let started = ContinuousClock.now
        var maker = RenditionMaker(files: files)
        if !decodeOnce { maker.decodedBudget = 0 }
        guard case .made(let made) = try maker.make(item, avif: avif) else { exit(1) }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        print(
            "libvips=\(version) avif=\(avif) decode=\(decodeOnce ? "once" : "each") renditions=\(made.count) "
                + "seconds=\(seconds) rss_before_kib=\(before) "
                + "peak_rss_kib=\(peakRSSKiB()) bytes=\(made.map(\.bytes).reduce(0, +))")
    default:
        print("usage: vestnik-bench renditions one|job --input FILE [--width N] [--runs N]")
        exit(2)
    }
}

private func fileSize(_ url: URL) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
}

/// This process's peak resident set (VmHWM), in KiB.
private func peakRSSKiB() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
