import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What a WordPress export (WXR 1.1/1.2, Tools → Export) says about the site, read before its items.
public struct WXRChannel: Sendable, Equatable {
    public var title = ""
    /// `wp:base_site_url`, else `wp:base_blog_url`, else `link`: the key an import is remembered by.
    public var siteURL = ""
    public var blogURL = ""
    /// Login → display name, from `wp:author`.
    public var authors: [String: String] = [:]
    /// Login → e-mail address, from `wp:author` (for `--create-users`).
    public var authorEmails: [String: String] = [:]
}

/// One `<item>` of the export: a post, a page, an attachment or anything else WordPress stores as a post.
public struct WXRItem: Sendable, Equatable {
    public struct Term: Sendable, Equatable {
        /// `category` or `post_tag`.
        public var domain: String
        public var nicename: String
        public var name: String
    }

    public var title = ""
    public var link = ""
    public var creator = ""
    public var content = ""
    public var excerpt = ""
    public var postID = 0
    public var postDate = ""
    public var postDateGMT = ""
    public var postName = ""
    public var status = ""
    public var postType = ""
    public var parentID = 0
    public var isSticky = false
    public var attachmentURL = ""
    public var terms: [Term] = []
    public var meta: [String: String] = [:]
    public var comments = 0
    /// Where the item starts in the file (line), for messages.
    public var line = 0
    /// A field longer than the reader keeps (see `WXRReader.maxFieldBytes`): the item is reported, not imported.
    public var oversizeField: String?
}

/// A WordPress export file read as it streams (libxml2's push parser under Foundation's `XMLParser`): one item in
/// memory at a time, whatever the file's size. Items are handed to the caller through a small bounded queue, so the
/// parser waits while the database catches up. The file may declare no entities: a DOCTYPE with an entity (the
/// "billion laughs" bomb, or an external entity reading a local file) stops the import with its position, and
/// nothing is ever resolved.
public final class WXRReader: @unchecked Sendable {
    /// The most bytes one field of an item may hold (a body, mostly); a longer one is cut off and the item reported.
    public static let maxFieldBytes = 8 << 20

    public struct Failure: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var column: Int
        public var reason: String
        public var description: String { "line \(line), column \(column): \(reason)" }
    }

    /// Handed to the parser's thread once, and used only there.
    private nonisolated(unsafe) let stream: InputStream
    private let queue = BoundedQueue<Event>(capacity: 32)

    enum Event: Sendable {
        case channel(WXRChannel)
        case item(WXRItem)
    }

    /// What the prolog check found wrong, reported when `read` starts.
    private let prologProblem: Failure?

    public init(url: URL) throws {
        guard let stream = InputStream(url: url), let handle = try? FileHandle(forReadingFrom: url) else {
            throw Failure(line: 0, column: 0, reason: "cannot open \(url.path)")
        }
        defer { try? handle.close() }
        self.stream = stream
        prologProblem = Self.checkProlog(handle.readData(ofLength: Self.prologLimit))
    }

    public init(data: Data) {
        stream = InputStream(data: data)
        prologProblem = Self.checkProlog(data.prefix(Self.prologLimit))
    }

    /// How far into the file the root element must start.
    static let prologLimit = 64 << 10

    /// A WordPress export starts `<?xml …?>` and then `<rss`: it has no DOCTYPE, so none is accepted (a DOCTYPE is the
    /// only place entities are declared: the "billion laughs" bomb, external entities that read local files). The
    /// root element must start within the first 64 KB, so no prolog can hide one further on.
    static func checkProlog(_ head: Data) -> Failure? {
        let bytes = [UInt8](head)
        var line = 1
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\n") { line += 1 }
            if bytes[index] == UInt8(ascii: "<"), index + 1 < bytes.count {
                let next = bytes[index + 1]
                if next == UInt8(ascii: "!") {
                    let word = String(decoding: bytes[(index + 2)..<min(bytes.count, index + 9)], as: UTF8.self).uppercased()
                    if word.hasPrefix("DOCTYPE") || word.hasPrefix("ENTITY") {
                        return Failure(
                            line: line, column: 0,
                            reason: "the file has a DOCTYPE; a WordPress export has none, and no entity is ever expanded")
                    }
                } else if next != UInt8(ascii: "?") {
                    return nil  // the root element: the prolog is over
                }
            }
            index += 1
        }
        return bytes.count >= prologLimit
            ? Failure(line: line, column: 0, reason: "no root element in the first \(prologLimit >> 10) KB; not a WordPress export") : nil
    }

    /// Reads the file on a thread of its own and calls `channel` once (before the first item) and `item` for each item,
    /// in order. Throws `Failure` for a file that is not well-formed XML or not an export.
    public func read(channel: (WXRChannel) async throws -> Void, item: (WXRItem) async throws -> Void) async throws {
        if let prologProblem { throw prologProblem }
        let queue = self.queue
        let thread = Thread { [self] in
            let delegate = WXRParserDelegate(queue: queue)
            let parser = XMLParser(stream: self.stream)
            parser.shouldResolveExternalEntities = false
            parser.shouldProcessNamespaces = false
            parser.delegate = delegate
            delegate.parser = parser
            let parsed = parser.parse()
            if let failure = delegate.failure {
                queue.finish(throwing: failure)
            } else if !parsed {
                let code = (parser.parserError as NSError?)?.code ?? 0
                queue.finish(
                    throwing: Failure(
                        line: parser.lineNumber, column: parser.columnNumber, reason: "not well-formed XML (libxml2 error \(code))"))
            } else if !delegate.sawChannel {
                queue.finish(throwing: Failure(line: parser.lineNumber, column: 0, reason: "not a WordPress export (no <rss><channel>)"))
            } else {
                queue.finish(throwing: nil)
            }
        }
        thread.stackSize = 4 << 20
        thread.start()
        do {
            var sentChannel = false
            while let event = try await queue.next() {
                switch event {
                case .channel(let value):
                    sentChannel = true
                    try await channel(value)
                case .item(let value):
                    if !sentChannel { throw Failure(line: value.line, column: 0, reason: "an <item> outside a <channel>") }
                    try await item(value)
                }
            }
        } catch {
            // The parser may be waiting for room in the queue: let it go, and have it stop at the next element.
            queue.cancel()
            throw error
        }
    }
}

/// The SAX side: builds one item at a time from element events.
private final class WXRParserDelegate: NSObject, XMLParserDelegate {
    let queue: BoundedQueue<WXRReader.Event>
    weak var parser: XMLParser?
    var failure: WXRReader.Failure?
    var sawChannel = false

    private var path: [String] = []
    private var text = ""
    private var textTooLong = false
    private var channel = WXRChannel()
    private var channelSent = false
    private var item: WXRItem?
    private var term: (domain: String, nicename: String)?
    private var metaKey = ""
    private var metaValue = ""
    private var authorLogin = ""
    private var authorName = ""
    private var authorEmail = ""

    init(queue: BoundedQueue<WXRReader.Event>) { self.queue = queue }

    private func stop(_ reason: String) {
        guard failure == nil, let parser else { return }
        failure = WXRReader.Failure(line: parser.lineNumber, column: parser.columnNumber, reason: reason)
        parser.abortParsing()
    }

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if queue.isCancelled { parser.abortParsing() }
        if path.isEmpty && elementName != "rss" { stop("not a WordPress export: the root element is <\(elementName)>, not <rss>") }
        path.append(elementName)
        text = ""
        textTooLong = false
        switch elementName {
        case "channel" where path.count == 2: sawChannel = true
        case "item" where path.count == 3:
            sendChannelOnce()
            item = WXRItem()
            item?.line = parser.lineNumber
        case "category" where item != nil:
            term = (attributes["domain"] ?? "category", attributes["nicename"] ?? "")
        case "wp:postmeta":
            metaKey = ""
            metaValue = ""
        case "wp:author" where item == nil:
            authorLogin = ""
            authorName = ""
            authorEmail = ""
        case "wp:comment" where item != nil:
            item?.comments += 1
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { append(string) }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) { append(String(decoding: CDATABlock, as: UTF8.self)) }

    private func append(_ string: String) {
        guard !textTooLong else { return }
        if text.utf8.count + string.utf8.count > WXRReader.maxFieldBytes {
            textTooLong = true
            if item != nil { item?.oversizeField = path.last ?? "" }
            return
        }
        text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        defer {
            path.removeLast()
            text = ""
        }
        let value = text
        if var current = item {
            // Only the item's own fields, not those of a comment inside it.
            if path.contains("wp:comment") { return }
            switch elementName {
            case "item":
                item = nil
                queue.send(.item(current))
                return
            case "title": current.title = value
            case "link": current.link = WordPressText.trimmed(value)
            case "dc:creator": current.creator = WordPressText.trimmed(value)
            case "content:encoded": current.content = value
            case "excerpt:encoded": current.excerpt = value
            case "wp:post_id": current.postID = Int(WordPressText.trimmed(value, .whitespaces)) ?? 0
            case "wp:post_date": current.postDate = WordPressText.trimmed(value, .whitespaces)
            case "wp:post_date_gmt": current.postDateGMT = WordPressText.trimmed(value, .whitespaces)
            case "wp:post_name": current.postName = WordPressText.trimmed(value, .whitespaces)
            case "wp:status": current.status = WordPressText.trimmed(value, .whitespaces)
            case "wp:post_type": current.postType = WordPressText.trimmed(value, .whitespaces)
            case "wp:post_parent": current.parentID = Int(WordPressText.trimmed(value, .whitespaces)) ?? 0
            case "wp:is_sticky": current.isSticky = WordPressText.trimmed(value, .whitespaces) == "1"
            case "wp:attachment_url": current.attachmentURL = WordPressText.trimmed(value)
            case "category":
                if let term {
                    current.terms.append(
                        .init(domain: term.domain, nicename: term.nicename, name: WordPressText.trimmed(value)))
                }
                term = nil
            case "wp:meta_key": metaKey = value
            case "wp:meta_value": metaValue = value
            case "wp:postmeta": if !metaKey.isEmpty, current.meta.count < 200 { current.meta[metaKey] = metaValue }
            default: break
            }
            item = current
            return
        }
        switch elementName {
        case "title" where path.count == 3: channel.title = value
        case "link" where path.count == 3:
            if channel.siteURL.isEmpty { channel.siteURL = WordPressText.trimmed(value) }
        case "wp:base_site_url": channel.siteURL = WordPressText.trimmed(value)
        case "wp:base_blog_url": channel.blogURL = WordPressText.trimmed(value)
        case "wp:author_login": authorLogin = WordPressText.trimmed(value)
        case "wp:author_display_name": authorName = WordPressText.trimmed(value)
        case "wp:author_email": authorEmail = WordPressText.trimmed(value)
        case "wp:author":
            if !authorLogin.isEmpty {
                channel.authors[authorLogin] = authorName.isEmpty ? authorLogin : authorName
                if !authorEmail.isEmpty { channel.authorEmails[authorLogin] = authorEmail }
            }
        case "channel": sendChannelOnce()
        default: break
        }
    }

    private func sendChannelOnce() {
        guard !channelSent else { return }
        channelSent = true
        if channel.blogURL.isEmpty { channel.blogURL = channel.siteURL }
        queue.send(.channel(channel))
    }
}

/// A queue between a thread that produces and an async consumer: `send` blocks the producer while `capacity` items
/// wait, so a fast parser never holds more than that in memory.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var head = 0
    private var finished = false
    private var failure: (any Error)?
    private var cancelled = false
    private var waiting: CheckedContinuation<Element?, any Error>?
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var isCancelled: Bool { condition.withLock { cancelled } }

    func send(_ element: Element) {
        condition.lock()
        while items.count - head >= capacity && !cancelled { condition.wait() }
        if cancelled {
            condition.unlock()
            return
        }
        if let waiting {
            self.waiting = nil
            condition.unlock()
            waiting.resume(returning: element)
            return
        }
        items.append(element)
        condition.unlock()
    }

    func finish(throwing error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        let waiting = self.waiting
        self.waiting = nil
        condition.unlock()
        if let error { waiting?.resume(throwing: error) } else { waiting?.resume(returning: nil) }
    }

    func cancel() {
        condition.lock()
        cancelled = true
        condition.broadcast()
        condition.unlock()
    }

    func next() async throws -> Element? {
        try await withCheckedThrowingContinuation { continuation in
            condition.lock()
            if head < items.count {
                let element = items[head]
                head += 1
                if head > 64 && head * 2 > items.count {
                    items.removeFirst(head)
                    head = 0
                }
                condition.signal()
                condition.unlock()
                continuation.resume(returning: element)
            } else if finished {
                let failure = self.failure
                condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                waiting = continuation
                condition.unlock()
            }
        }
    }
}
