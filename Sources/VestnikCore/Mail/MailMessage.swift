import Foundation

/// A plain-text e-mail as RFC 5322 bytes, ready for a `sendmail -t` program: UTF-8 throughout (the subject and the
/// sender's name as RFC 2047 encoded words, the body in base64), so Cyrillic survives every relay.
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var fromName: String
    public var to: String
    public var subject: String
    public var body: String

    public init(from: String, fromName: String = "", to: String, subject: String, body: String) {
        self.from = from
        self.fromName = fromName
        self.to = to
        self.subject = subject
        self.body = body
    }

    /// Whether `address` is one mailbox a header can carry: no line breaks or separators that would add a header or a
    /// second recipient (header injection), one `@`, at most 254 characters.
    public static func isAddress(_ address: String) -> Bool {
        guard address.count <= 254, address.split(separator: "@", omittingEmptySubsequences: false).count == 2,
            let at = address.firstIndex(of: "@"), at != address.startIndex, address.index(after: at) != address.endIndex
        else { return false }
        return !address.unicodeScalars.contains {
            $0.value < 0x21 || $0.value == 0x7F || "<>,;:\"()[]\\".unicodeScalars.contains($0)
        }
    }

    /// The message, or nil when an address could inject a header.
    public func rendered(date: Date, messageID: String) -> [UInt8]? {
        guard Self.isAddress(from), Self.isAddress(to) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let sender = fromName.isEmpty ? "<\(from)>" : "\(Self.encodedWord(fromName)) <\(from)>"
        let headers = [
            "From: \(sender)", "To: <\(to)>", "Subject: \(Self.encodedWord(subject))", "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageID)@\(from.split(separator: "@").last ?? "vestnik")>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "Auto-Submitted: auto-generated",
        ]
        let normalised = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        let encoded = Data(normalised.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        return Array((headers.joined(separator: "\r\n") + "\r\n\r\n" + encoded + "\r\n").utf8)
    }

    /// `text` as RFC 2047 encoded words (base64, UTF-8), each at most 75 characters and never splitting a character;
    /// plain ASCII without specials stays as it is. Line breaks become spaces, so no text adds a header.
    static func encodedWord(_ text: String) -> String {
        let flat = text.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if flat.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) && !flat.contains("=?") { return flat }
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in flat {
            let bytes = Array(String(character).utf8)
            // 39 bytes of UTF-8 make 52 base64 characters: with "=?utf-8?B?" and "?=" a word is 64, and "Subject: " and it
            // stay within 78.
            if chunk.count + bytes.count > 39 {
                words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }
}
