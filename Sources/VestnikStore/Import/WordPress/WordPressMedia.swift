import Foundation
import VestnikCore

/// The pictures of a WordPress site brought into the media library from a copy of its `wp-content/uploads` folder,
/// or downloaded from the site itself (`--fetch-media`: through `Outbound`, a few at a time, with retries), through
/// `MediaIntake` (the newsroom's own upload path: checked, scrubbed, stored by content hash, renditions
/// queued). Attachments come first (a pass of their own over the export, since WordPress writes a post before the
/// pictures uploaded into it); then each post's `<img>` addresses and featured picture (`_thumbnail_id`) are found
/// among them. The same bytes are stored once, so a re-run finds every picture where the first run put it.
final class WordPressMedia {
    /// Where the files come from.
    enum Origin {
        /// A copy of `wp-content/uploads`.
        case folder(URL)
        /// The addresses the export names, `concurrency` requests at a time, each tried up to `1 + retries` times.
        case web(Outbound.Policy, concurrency: Int, retries: Int)
    }

    let origin: Origin
    let intake: MediaIntake
    let dryRun: Bool
    let now: Date
    /// The export's site address, for pictures named by a path only.
    var site = ""

    /// The library's copy of a file, by its path under `uploads` (nil: missing or refused, asked once).
    private var byPath: [String: MediaAddress?] = [:]
    /// An attachment's picture by its WordPress post id.
    private(set) var attachments: [Int: MediaAddress] = [:]

    var copied = 0
    var known = 0
    var missing = 0
    /// The first `listed` missing files by their path under `uploads`.
    var missingFiles: [String] = []
    /// The first `listed` files not taken, with the reason.
    var refused: [String] = []

    private func refuse(_ text: String) {
        if refused.count < Self.listed { refused.append(text) }
    }
    static let listed = 100

    /// Attachments read but not yet brought in, and downloads done ahead of their turn, by URL.
    private var waiting: [(postID: Int, path: String, url: String, words: MediaIntake.Words)] = []
    private var downloaded: [String: Download] = [:]

    enum Download {
        case bytes([UInt8])
        case missing
        case refused(String)
    }

    init(origin: Origin, intake: MediaIntake, dryRun: Bool, now: Date) {
        self.origin = origin
        self.intake = intake
        self.dryRun = dryRun
        self.now = now
    }

    private var concurrency: Int {
        if case .web(_, let concurrency, _) = origin { return max(1, concurrency) }
        return 1
    }

    /// An attachment item: its file (`_wp_attached_file`, else its address) with its alt text
    /// (`_wp_attachment_image_alt`, else its title), caption (its excerpt) and credit (the IPTC credit WordPress read
    /// into `_wp_attachment_metadata`).
    func attachment(_ item: WXRItem) async throws {
        guard let path = Self.relativePath(item.meta["_wp_attached_file"] ?? "") ?? Self.uploadsPath(of: item.attachmentURL)
        else { return }
        let alt = [item.meta["_wp_attachment_image_alt"] ?? "", item.title].map(Self.plain).first { !$0.isEmpty } ?? ""
        let words = MediaIntake.Words(
            alt: String(alt.prefix(1_000)), caption: String(Self.plain(item.excerpt).prefix(1_000)),
            credit: String(Self.serializedString("credit", in: item.meta["_wp_attachment_metadata"] ?? "").prefix(1_000)))
        let url = item.attachmentURL.isEmpty ? absolute("/wp-content/uploads/" + path) : absolute(item.attachmentURL)
        waiting.append((item.postID, path, url, words))
        if waiting.count >= concurrency { try await bringInWaiting() }
    }

    /// The attachments read so far, downloaded together (`--fetch-media`), then added one by one.
    func bringInWaiting() async throws {
        let batch = waiting
        waiting.removeAll()
        await download(batch.map(\.url))
        for attachment in batch {
            if let address = try await file(attachment.path, url: attachment.url, words: attachment.words) {
                attachments[attachment.postID] = address
            }
        }
    }

    /// The library's address for an `<img src>` of a post: a file of the site's uploads, its original rather than
    /// the smaller copy WordPress made (`photo-300x200.jpg` → `photo.jpg`) when the original is there.
    /// With `--fetch-media`, downloads the pictures of one post together (`concurrency` at a time) before `image`
    /// asks for them one by one: the originals (what the body will show); a smaller copy is asked for by itself
    /// where its original is missing.
    func prefetch(_ urls: [String]) async {
        guard case .web = origin else { return }
        let wanted = urls.compactMap { url -> String? in
            guard let path = Self.uploadsPath(of: url), byPath[path] == nil else { return nil }
            guard let original = Self.withoutSizeSuffix(path) else { return absolute(url) }
            return byPath[original] == nil ? Self.replacingPath(of: absolute(url), with: original) : nil
        }
        await download(wanted)
    }

    /// Drops downloads nobody asked for (memory stays bounded by one post's pictures).
    func forgetDownloads() { downloaded.removeAll() }

    func image(_ url: String) async throws -> MediaAddress? {
        guard let path = Self.uploadsPath(of: url) else { return nil }
        if let original = Self.withoutSizeSuffix(path) {
            let originalURL = Self.replacingPath(of: absolute(url), with: original)
            switch origin {
            case .folder(let uploads):
                if FileManager.default.fileExists(atPath: uploads.appendingPathComponent(original).path) || byPath[original] != nil {
                    return try await file(original, url: originalURL, words: nil)
                }
            case .web:
                if let found = try await file(original, url: originalURL, words: nil, countMissing: false) { return found }
            }
        }
        return try await file(path, url: absolute(url), words: nil)
    }

    /// A URL of the site for a path-only address.
    private func absolute(_ url: String) -> String {
        guard url.hasPrefix("/"), !url.hasPrefix("//"), !site.isEmpty else { return url }
        var base = site
        while base.hasSuffix("/") { base.removeLast() }
        return base + url
    }

    /// Downloads `urls` not downloaded yet, `concurrency` at a time (`--fetch-media` only).
    private func download(_ urls: [String]) async {
        guard case .web(let policy, let concurrency, let retries) = origin else { return }
        var seen = Set<String>()
        let fresh = urls.filter { downloaded[$0] == nil && seen.insert($0).inserted }
        for start in stride(from: 0, to: fresh.count, by: max(1, concurrency)) {
            let chunk = fresh[start..<min(fresh.count, start + max(1, concurrency))]
            await withTaskGroup(of: (String, Download).self) { group in
                for url in chunk { group.addTask { (url, await Self.fetch(url, policy: policy, retries: retries)) } }
                for await (url, result) in group { downloaded[url] = result }
            }
        }
    }

    /// One picture from the web: 404/410 is missing; a timeout, a broken connection, 429 or a 5xx is tried again
    /// (after 0.5 s, 1 s, 2 s …); anything else is refused with the reason.
    static func fetch(_ url: String, policy: Outbound.Policy, retries: Int) async -> Download {
        var attempt = 0
        while true {
            do {
                let response = try await Outbound.send(Outbound.Request(url: url), policy: policy)
                switch response.status {
                case 200: return .bytes(response.body)
                case 404, 410: return .missing
                case 429, 500...599: break
                default: return .refused("HTTP \(response.status)")
                }
            } catch let failure as Outbound.Failure {
                switch failure {
                case .timedOut, .transport: break
                default: return .refused(failure.description)
                }
            } catch {
                return .refused("\(error)")
            }
            attempt += 1
            if attempt > retries { return .refused("no answer after \(attempt) tries") }
            try? await Task.sleep(for: .milliseconds(250 << min(attempt, 6)))
        }
    }

    /// The file's bytes: from the folder, or downloaded (ahead of time, or now).
    private func contents(_ path: String, url: String) async -> Download {
        switch origin {
        case .folder(let uploads):
            let file = uploads.appendingPathComponent(path)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int,
                let handle = try? FileHandle(forReadingFrom: file)
            else { return .missing }
            defer { try? handle.close() }
            if size > intake.maxBytes { return .refused("\(MediaIntake.Refusal.tooLarge)") }
            return .bytes([UInt8](handle.readData(ofLength: size)))
        case .web(let policy, _, let retries):
            if let done = downloaded.removeValue(forKey: url) { return done }
            return await Self.fetch(url, policy: policy, retries: retries)
        }
    }

    /// Brings one file in, once per run.
    private func file(_ path: String, url: String, words: MediaIntake.Words?, countMissing: Bool = true) async throws -> MediaAddress? {
        if let done = byPath[path] { return done }
        let name = (path as NSString).lastPathComponent
        let bytes: [UInt8]
        switch await contents(path, url: url) {
        case .bytes(let found): bytes = found
        case .missing:
            byPath[path] = .some(nil)
            guard countMissing else { return nil }
            missing += 1
            if missingFiles.count < Self.listed { missingFiles.append(path) }
            byPath[path] = .some(nil)
            return nil
        case .refused(let why):
            refuse("\(path): \(why)")
            byPath[path] = .some(nil)
            return nil
        }
        var given = words ?? MediaIntake.Words(alt: "")
        if given.alt.isEmpty { given.alt = Self.plain((name as NSString).deletingPathExtension.replacingOccurrences(of: "-", with: " ")) }
        if given.alt.isEmpty { given.alt = name }
        if dryRun {
            // Checked as an upload is, nothing stored: the address is the clean file's.
            guard case .success(let info) = ImageFile.inspect(bytes),
                case .success(let clean) = ImageScrubber.scrub(bytes, format: info.format)
            else {
                refuse("\(path): not a picture the library takes")
                byPath[path] = .some(nil)
                return nil
            }
            let address = MediaAddress(bytes: clean.bytes, format: info.format)
            copied += 1
            byPath[path] = address
            return address
        }
        switch try await intake.add(bytes, words: given, fileName: name, uploadedBy: nil, now: now) {
        case .success(let (item, created)):
            if created { copied += 1 } else { known += 1 }
            byPath[path] = item.address
            return item.address
        case .failure(let refusal):
            refuse("\(path): \(refusal)")
            byPath[path] = .some(nil)
            return nil
        }
    }

    // MARK: Paths

    /// The part of an address after its last `/uploads/` (`/wp-content/uploads/2026/11/zala.jpg`), checked.
    static func uploadsPath(of url: String) -> String? {
        guard let components = URLComponents(string: url.trimmingCharacters(in: .whitespaces)) else { return nil }
        let path = components.percentEncodedPath.removingPercentEncoding ?? components.percentEncodedPath
        guard let marker = path.range(of: "/uploads/", options: .backwards) else { return nil }
        return relativePath(String(path[marker.upperBound...]))
    }

    /// A path under the uploads folder, or nil if it is empty or could leave the folder.
    static func relativePath(_ text: String) -> String? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty, text.utf8.count <= 1_000, !text.hasPrefix("/"), !text.contains("\0"),
            parts.allSatisfy({ $0 != "." && $0 != ".." })
        else { return nil }
        return parts.joined(separator: "/")
    }

    /// `url` with the part after its last `/uploads/` replaced by `path`.
    static func replacingPath(of url: String, with path: String) -> String {
        guard let marker = url.range(of: "/uploads/", options: .backwards) else { return url }
        let encoded = path.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }
        return String(url[..<marker.upperBound]) + encoded.joined(separator: "/")
    }

    /// `2026/11/zala-300x200.jpg` → `2026/11/zala.jpg`; nil when the name has no size suffix.
    static func withoutSizeSuffix(_ path: String) -> String? {
        guard let dot = path.lastIndex(of: "."), let dash = path[..<dot].lastIndex(of: "-") else { return nil }
        let size = path[path.index(after: dash)..<dot].split(separator: "x", omittingEmptySubsequences: false)
        guard size.count == 2, size.allSatisfy({ !$0.isEmpty && $0.count <= 5 && $0.allSatisfy(\.isASCII) && Int($0) != nil }) else {
            return nil
        }
        return String(path[..<dash] + path[dot...])
    }

    /// Text without markup, on one line.
    static func plain(_ text: String) -> String {
        ArticleBody.plainText(text)
    }

    /// A string value of PHP's `serialize` (`s:6:"credit";s:5:"БГНЕС";`), as WordPress stores an attachment's
    /// metadata; empty when absent. Byte lengths are checked against what is there.
    static func serializedString(_ key: String, in text: String) -> String {
        let bytes = Array(text.utf8)
        let needle = Array("s:\(key.utf8.count):\"\(key)\";s:".utf8)
        guard let start = bytes.firstRange(of: needle)?.upperBound else { return "" }
        var index = start
        var length = 0
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39, length < 100_000 {
            length = length * 10 + Int(bytes[index] - 0x30)
            index += 1
        }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "\"") else { return "" }
        let from = index + 2
        guard from + length <= bytes.count else { return "" }
        return plain(String(decoding: bytes[from..<(from + length)], as: UTF8.self))
    }
}
