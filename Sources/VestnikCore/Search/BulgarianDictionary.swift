import Foundation

/// Where the site's Bulgarian dictionary comes from, and whether it loaded: `VESTNIK_DICTIONARY` names the files
/// without their `.aff`/`.dic` ending (default: Debian's `hunspell-bg`, `/usr/share/hunspell/bg_BG`); `none`
/// searches with the light stemmer alone. Loaded once, on first use.
public enum BulgarianDictionary: Sendable {
    case loaded(BulgarianLexicon, path: String, seconds: Double)
    case absent(path: String)
    case off
    case failed(path: String, reason: String)

    public static let defaultPath = "/usr/share/hunspell/bg_BG"

    public static let system = load(ProcessInfo.processInfo.environment["VESTNIK_DICTIONARY"])

    public static func load(_ setting: String?) -> BulgarianDictionary {
        let path = setting.flatMap { $0.isEmpty ? nil : $0 } ?? defaultPath
        if path == "none" { return .off }
        guard FileManager.default.fileExists(atPath: path + ".dic"), FileManager.default.fileExists(atPath: path + ".aff") else {
            return .absent(path: path)
        }
        let start = Date()
        do {
            let lexicon = try BulgarianLexicon(path: path)
            return .loaded(lexicon, path: path, seconds: Date().timeIntervalSince(start))
        } catch {
            return .failed(path: path, reason: error.description)
        }
    }

    public var lexicon: BulgarianLexicon? {
        if case .loaded(let lexicon, _, _) = self { return lexicon }
        return nil
    }

    /// One line for the start-up log and the readiness answer.
    public var summary: String {
        switch self {
        case .loaded(let lexicon, let path, let seconds):
            return "search: dictionary \(path).dic, \(lexicon.wordCount) words, \(lexicon.formCount) forms, "
                + "\(lexicon.tableBytes >> 20) MiB, loaded in \(String(format: "%.2f", seconds)) s"
        case .absent(let path):
            return "search: light stemmer only (no dictionary at \(path).dic; apt-get install hunspell-bg)"
        case .off:
            return "search: light stemmer only (VESTNIK_DICTIONARY=none)"
        case .failed(let path, let reason):
            return "search: light stemmer only (\(path) could not be read: \(reason))"
        }
    }
}
