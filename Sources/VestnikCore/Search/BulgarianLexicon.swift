import Foundation

/// Every form of every word of a Hunspell dictionary and the dictionary words (lemmas) it is a form of: училища →
/// училище, хора → хор and хоро. Read at run time from the `.aff` and `.dic` files (Debian's `hunspell-bg`, GPL-2,
/// which Vestnik does not ship): a site without them searches with the light stemmer alone.
///
/// The affix rules are expanded once, at load, into an open-addressing hash table of 32-bit cells: a cell names a
/// dictionary word and the rule that makes the form, so the table holds no strings of its own (the Bulgarian
/// dictionary's 867,000 forms take 8 MiB of cells and 1.5 MiB of words). A look-up hashes the form and compares it
/// against the form each cell would make, without allocating.
///
/// The reader is hand-written over outside files, so it is bounded: files of at most `maxFileBytes`, at most
/// `maxForms` forms, and it takes only what the Bulgarian dictionary uses: `SET UTF-8`, `FLAG` (one character,
/// `long`, `num` or `UTF-8`), `SFX` and `PFX` rules (conditions of `.`, letters and `[…]`/`[^…]` classes, no cross
/// products, no continuation classes); every other line is skipped.
public final class BulgarianLexicon: Sendable {
    public static let maxFileBytes = 64 << 20
    public static let maxForms = 8_000_000
    /// Longer dictionary words are skipped, and no longer form is ever looked up.
    static let maxWordBytes = 255

    /// A rule of the `.aff` file: take `strip` bytes off one end of a word, add `append`, if the word ends (begins)
    /// with `strip` and meets `condition`.
    struct Rule: Sendable {
        var isPrefix: Bool
        var strip: [UInt8]
        var append: [UInt8]
        /// Each element one character set of the condition (nil: any character), read against the word's end (start).
        var condition: [Condition]
    }

    enum Condition: Sendable {
        case any
        case oneOf(Set<Character>)
        case noneOf(Set<Character>)

        func matches(_ character: Character) -> Bool {
            switch self {
            case .any: return true
            case .oneOf(let set): return set.contains(character)
            case .noneOf(let set): return !set.contains(character)
            }
        }
    }

    public enum LoadError: Error, Equatable, CustomStringConvertible {
        case unreadable(String)
        case tooLarge(String)
        case malformed(String)

        public var description: String {
            switch self {
            case .unreadable(let why), .tooLarge(let why), .malformed(let why): return why
            }
        }
    }

    /// The dictionary's words, lowercased UTF-8 back to back; word `i` is `words[wordStarts[i]..<wordStarts[i + 1]]`.
    let words: [UInt8]
    let wordStarts: [UInt32]
    /// The rules each word takes: word `i` takes `rules[r]` for every `r` in `ruleLists[ruleListStarts[i]..<…[i + 1]]`.
    let ruleLists: [UInt16]
    let ruleListStarts: [UInt32]
    let rules: [Rule]
    /// 0 is an empty cell; else `(word + 1) << ruleBits | rule`, where rule 0 is the word itself and `r > 0` is
    /// `rules[r - 1]` applied to it.
    let cells: [UInt32]
    let ruleBits: UInt32
    public let formCount: Int

    public var wordCount: Int { wordStarts.count - 1 }
    /// What the search index records as its analyser: an index built with another dictionary is rebuilt.
    public var identity: String { "hunspell:\(wordCount):\(formCount)" }
    /// Bytes held by the tables (what `vestnik` reports, and the benchmark measures against the process's growth).
    public var tableBytes: Int {
        words.count + wordStarts.count * 4 + ruleLists.count * 2 + ruleListStarts.count * 4 + cells.count * 4
            + rules.reduce(0) { $0 + $1.strip.count + $1.append.count + 48 }
    }

    /// Reads `path.aff` and `path.dic`.
    public convenience init(path: String) throws(LoadError) {
        func read(_ file: String) throws(LoadError) -> [UInt8] {
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file),
                let size = attributes[.size] as? Int
            else { throw .unreadable("\(file) cannot be read") }
            guard size <= Self.maxFileBytes else { throw .tooLarge("\(file) is larger than \(Self.maxFileBytes >> 20) MiB") }
            guard let data = FileManager.default.contents(atPath: file) else { throw .unreadable("\(file) cannot be read") }
            return [UInt8](data)
        }
        try self.init(aff: read(path + ".aff"), dic: read(path + ".dic"))
    }

    public init(aff: [UInt8], dic: [UInt8]) throws(LoadError) {
        guard aff.count <= Self.maxFileBytes, dic.count <= Self.maxFileBytes else { throw .tooLarge("a file is too large") }
        let (rules, rulesOfFlag, flagMode) = try Self.readAffixes(String(decoding: aff, as: UTF8.self))
        guard rules.count < Int(UInt16.max) else { throw .tooLarge("more than 65,534 affix rules") }
        var words: [UInt8] = []
        var wordStarts: [UInt32] = [0]
        var ruleLists: [UInt16] = []
        var ruleListStarts: [UInt32] = [0]
        var forms = 0
        var first = true
        for line in String(decoding: dic, as: UTF8.self).split(whereSeparator: \.isNewline) {
            // The first line is the number of words, a hint only.
            if first {
                first = false
                if line.allSatisfy(\.isNumber) { continue }
            }
            let entry = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? ""
            let slash = entry.firstIndex(of: "/")
            let word = Array((slash.map { entry[..<$0] } ?? entry).lowercased().utf8)
            guard !word.isEmpty, word.count <= Self.maxWordBytes else { continue }
            var mine: [UInt16] = []
            if let slash {
                for flag in Self.flags(entry[entry.index(after: slash)...], mode: flagMode) {
                    for rule in rulesOfFlag[flag] ?? [] where Self.applies(rules[rule], to: word) { mine.append(UInt16(rule)) }
                }
            }
            forms += 1 + mine.count
            guard forms <= Self.maxForms else { throw .tooLarge("more than \(Self.maxForms) forms") }
            words += word
            wordStarts.append(UInt32(words.count))
            ruleLists += mine
            ruleListStarts.append(UInt32(ruleLists.count))
        }
        let count = wordStarts.count - 1
        let ruleBits = UInt32(max(1, (rules.count + 1).bitWidth - (rules.count + 1).leadingZeroBitCount))
        guard (count + 1) < (1 << (32 - Int(ruleBits))) else { throw .tooLarge("too many words for the table") }
        // A table at most half full keeps probe runs short.
        var size = 1024
        while size < forms * 2 { size <<= 1 }
        var cells = [UInt32](repeating: 0, count: size)
        let mask = size - 1
        var scratch: [UInt8] = []
        for index in 0..<count {
            let word = words[Int(wordStarts[index])..<Int(wordStarts[index + 1])]
            let listed = ruleLists[Int(ruleListStarts[index])..<Int(ruleListStarts[index + 1])]
            for rule in [-1] + listed.map(Int.init) {
                scratch.removeAll(keepingCapacity: true)
                if rule < 0 { scratch += word } else { Self.apply(rules[rule], to: word, into: &scratch) }
                var slot = Int(Self.hash(scratch)) & mask
                while cells[slot] != 0 { slot = (slot + 1) & mask }
                cells[slot] = UInt32(index + 1) << ruleBits | UInt32(rule + 1)
            }
        }
        self.words = words
        self.wordStarts = wordStarts
        self.ruleLists = ruleLists
        self.ruleListStarts = ruleListStarts
        self.rules = rules
        self.cells = cells
        self.ruleBits = ruleBits
        self.formCount = forms
    }

    /// The lemmas of a lowercase form, each once, in dictionary order; empty when the dictionary does not know it.
    public func lemmas(of form: String) -> [String] {
        var found: [Int] = []
        let bytes = Array(form.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxWordBytes * 2 else { return [] }
        let mask = cells.count - 1
        var slot = Int(Self.hash(bytes)) & mask
        while cells[slot] != 0 {
            let cell = cells[slot]
            let word = Int(cell >> ruleBits) - 1
            let rule = Int(cell & ((1 << ruleBits) - 1)) - 1
            if !found.contains(word), makes(word: word, rule: rule, bytes) { found.append(word) }
            slot = (slot + 1) & mask
        }
        var lemmas: [String] = []
        for word in found.sorted() {
            let lemma = String(decoding: self.word(word), as: UTF8.self)
            if !lemmas.contains(lemma) { lemmas.append(lemma) }
        }
        return lemmas
    }

    /// Every form of the dictionary words spelled `lemma` (the word itself first), each once.
    public func forms(of lemma: String) -> [String] {
        let bytes = Array(lemma.utf8)
        guard !bytes.isEmpty, bytes.count <= Self.maxWordBytes else { return [] }
        let mask = cells.count - 1
        var slot = Int(Self.hash(bytes)) & mask
        var forms: [String] = []
        var seen = Set<String>()
        var scratch: [UInt8] = []
        while cells[slot] != 0 {
            let cell = cells[slot]
            let index = Int(cell >> ruleBits) - 1
            let word = self.word(index)
            // Rule 0: the cell of the word itself.
            if cell & ((1 << ruleBits) - 1) == 0, word.elementsEqual(bytes) {
                for rule in [-1] + ruleLists[Int(ruleListStarts[index])..<Int(ruleListStarts[index + 1])].map(Int.init) {
                    scratch.removeAll(keepingCapacity: true)
                    if rule < 0 { scratch += word } else { Self.apply(rules[rule], to: word, into: &scratch) }
                    let form = String(decoding: scratch, as: UTF8.self)
                    if seen.insert(form).inserted { forms.append(form) }
                }
            }
            slot = (slot + 1) & mask
        }
        return forms
    }

    /// Calls `body` with every form the table holds (a form of several words once per word), for measurements.
    public func forEachForm(_ body: (String) -> Void) {
        var scratch: [UInt8] = []
        for index in 0..<wordCount {
            let word = self.word(index)
            for rule in [-1] + ruleLists[Int(ruleListStarts[index])..<Int(ruleListStarts[index + 1])].map(Int.init) {
                scratch.removeAll(keepingCapacity: true)
                if rule < 0 { scratch += word } else { Self.apply(rules[rule], to: word, into: &scratch) }
                body(String(decoding: scratch, as: UTF8.self))
            }
        }
    }

    private func word(_ index: Int) -> ArraySlice<UInt8> {
        words[Int(wordStarts[index])..<Int(wordStarts[index + 1])]
    }

    /// Whether `rule` (-1: none) applied to `word` spells `bytes`, compared in place.
    private func makes(word index: Int, rule: Int, _ bytes: [UInt8]) -> Bool {
        let word = self.word(index)
        guard rule >= 0 else { return word.elementsEqual(bytes) }
        let rule = rules[rule]
        let kept = word.count - rule.strip.count
        guard bytes.count == kept + rule.append.count else { return false }
        if rule.isPrefix {
            return bytes[..<rule.append.count].elementsEqual(rule.append)
                && bytes[rule.append.count...].elementsEqual(word[(word.startIndex + rule.strip.count)...])
        }
        return bytes[..<kept].elementsEqual(word[..<(word.startIndex + kept)]) && bytes[kept...].elementsEqual(rule.append)
    }

    static func applies(_ rule: Rule, to word: [UInt8]) -> Bool {
        guard word.count > rule.strip.count else { return false }
        if rule.isPrefix {
            guard word.starts(with: rule.strip) else { return false }
        } else {
            guard word.reversed().starts(with: rule.strip.reversed()) else { return false }
        }
        guard !rule.condition.isEmpty else { return true }
        let characters = Array(String(decoding: word, as: UTF8.self))
        guard characters.count >= rule.condition.count else { return false }
        let window = rule.isPrefix ? characters.prefix(rule.condition.count) : characters.suffix(rule.condition.count)
        return zip(window, rule.condition).allSatisfy { $1.matches($0) }
    }

    static func apply<Word: Collection<UInt8>>(_ rule: Rule, to word: Word, into result: inout [UInt8]) {
        if rule.isPrefix {
            result += rule.append
            result += word.dropFirst(rule.strip.count)
        } else {
            result += word.dropLast(rule.strip.count)
            result += rule.append
        }
    }

    /// FNV-1a.
    static func hash<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return hash
    }

    enum FlagMode { case character, long, number }

    /// The flags of a `/FLAGS` field.
    static func flags(_ text: Substring, mode: FlagMode) -> [String] {
        switch mode {
        case .character: return text.map { String($0) }
        case .long:
            let characters = Array(text)
            return stride(from: 0, to: characters.count - 1, by: 2).map { String(characters[$0...$0 + 1]) }
        case .number: return text.split(separator: ",").map { String($0) }
        }
    }

    /// The rules of an `.aff` file, and for each flag the indexes of its rules.
    static func readAffixes(_ text: String) throws(LoadError) -> ([Rule], [String: [Int]], FlagMode) {
        var rules: [Rule] = []
        var rulesOfFlag: [String: [Int]] = [:]
        var mode = FlagMode.character
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let keyword = fields.first else { continue }
            switch keyword {
            case "SET":
                guard fields.count >= 2, fields[1].uppercased() == "UTF-8" else {
                    throw .malformed("only UTF-8 dictionaries are read (SET UTF-8)")
                }
            case "FLAG":
                guard fields.count >= 2 else { continue }
                switch fields[1] {
                case "long": mode = .long
                case "num": mode = .number
                default: mode = .character
                }
            case "SFX", "PFX":
                // `SFX flag cross count` heads a group; `SFX flag strip append condition` is one rule.
                guard fields.count >= 5 else { continue }
                let strip = fields[2] == "0" ? "" : String(fields[2])
                // Continuation classes (`append/FLAGS`) are not followed.
                let appendField = fields[3].split(separator: "/", omittingEmptySubsequences: false).first ?? ""
                let append = appendField == "0" ? "" : String(appendField)
                rulesOfFlag[String(fields[1]), default: []].append(rules.count)
                rules.append(
                    Rule(
                        isPrefix: keyword == "PFX", strip: Array(strip.lowercased().utf8), append: Array(append.lowercased().utf8),
                        condition: try condition(fields[4])))
                guard rules.count <= 60_000 else { throw .tooLarge("more than 60,000 affix rules") }
            default: continue
            }
        }
        return (rules, rulesOfFlag, mode)
    }

    /// `.`, letters and `[abc]` / `[^abc]` classes, in order; `.` alone is no condition.
    static func condition(_ text: Substring) throws(LoadError) -> [Condition] {
        if text == "." { return [] }
        var result: [Condition] = []
        var rest = text.lowercased()[...]
        while let first = rest.first {
            rest = rest.dropFirst()
            switch first {
            case ".": result.append(.any)
            case "[":
                guard let close = rest.firstIndex(of: "]") else { throw .malformed("an affix condition opens [ without ]") }
                var set = rest[..<close]
                let negated = set.first == "^"
                if negated { set = set.dropFirst() }
                result.append(negated ? .noneOf(Set(set)) : .oneOf(Set(set)))
                rest = rest[rest.index(after: close)...]
            default: result.append(.oneOf([first]))
            }
            guard result.count <= 64 else { throw .malformed("an affix condition is longer than 64 characters") }
        }
        return result
    }
}
