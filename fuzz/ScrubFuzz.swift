// libFuzzer target for the picture scrubber (Sources/VestnikCore/Media/ImageScrubber.swift, ExifBlock.swift) and the
// header reader it trusts (ImageFile.swift). Built by fuzz/run.sh with -sanitize=fuzzer,address; a crash, an
// out-of-bounds read, a hang or a broken property below is a finding.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let sniffed = ImageFile.inspect(input)
    // Every format's walker sees every input, not only those whose magic number matches.
    for format in ImageFormat.allCases {
        guard case .success(let once) = ImageScrubber.scrub(input, format: format) else { continue }
        // What comes out is never larger than what went in but for the orientation block it may add.
        check(once.bytes.count <= input.count + 64, "grew: \(input.count) → \(once.bytes.count)")
        check((1...8).contains(once.orientation), "orientation \(once.orientation)")
        check(
            once.removed.isEmpty == (once.bytes == input), "removed \(once.removed) but bytes \(once.bytes == input ? "same" : "changed")")
        check(once.credit.map { $0.count <= 200 } ?? true, "credit too long")
        // Idempotent: a scrubbed file is clean.
        guard case .success(let twice) = ImageScrubber.scrub(once.bytes, format: format) else {
            fail("the scrubbed file is refused")
        }
        check(twice.removed.isEmpty && twice.bytes == once.bytes, "second pass removed \(twice.removed)")
        // A picture the library took before scrubbing is still the same picture after.
        if case .success(let info) = sniffed, info.format == format {
            check(ImageFile.inspect(once.bytes) == .success(info), "the header changed: \(ImageFile.inspect(once.bytes))")
        }
    }
    return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

func fail(_ message: String) -> Never {
    fatalError("property broken: \(message)")
}
