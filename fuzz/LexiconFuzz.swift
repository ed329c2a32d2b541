// libFuzzer target for the Hunspell dictionary reader (Sources/VestnikCore/Search/BulgarianLexicon.swift): any bytes
// as an .aff file and a .dic file (split at the first NUL byte). Built by `fuzz/run.sh lexicon` with
// -sanitize=fuzzer,address; a crash, a hang or a broken property is a finding.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let aff = Array(bytes[..<split])
    let dic = split < bytes.count ? Array(bytes[(split + 1)...]) : []
    guard let lexicon = try? BulgarianLexicon(aff: aff, dic: dic) else { return 0 }
    check(lexicon.formCount >= lexicon.wordCount, "fewer forms than words")
    // Every form the table holds leads back to a lemma whose forms include it.
    var checked = 0
    lexicon.forEachForm { form in
        guard checked < 200 else { return }
        checked += 1
        let lemmas = lexicon.lemmas(of: form)
        check(!lemmas.isEmpty, "a form of the table has no lemma: \(form)")
        check(lemmas.contains { lexicon.forms(of: $0).contains(form) }, "no lemma of \(form) makes it")
    }
    _ = lexicon.lemmas(of: String(decoding: dic.prefix(40), as: UTF8.self).lowercased())
    return 0
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition {
        FileHandle.standardError.write(Data("property broken: \(message())\n".utf8))
        abort()
    }
}
