import Foundation
import Testing
import VestnikCore

@Suite("E-mail messages")
struct MailMessageTests {
    @Test("a Cyrillic message is valid RFC 5322: encoded subject and sender name, base64 body, CRLF lines")
    func cyrillic() throws {
        let message = MailMessage(
            from: "redakcia@vestnik.bg", fromName: "Вестник", to: "ivan@example.bg",
            subject: "Нова парола за Вестник — връзката важи един час, само веднъж, за редакцията",
            body: "Здравейте!\n\nВръзка: https://vestnik.bg/x\n")
        let bytes = try #require(message.rendered(date: Date(timeIntervalSince1970: 0), messageID: "1.abc"))
        let text = String(decoding: bytes, as: UTF8.self)
        let (head, body) = try #require(text.split(separator: "\r\n\r\n", maxSplits: 1).map(String.init).pairs)
        #expect(head.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(head.contains("From: =?utf-8?B?0JLQtdGB0YLQvdC40Lo=?= <redakcia@vestnik.bg>"))
        #expect(head.contains("To: <ivan@example.bg>") && head.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        // Every header line within 78 characters, continuation lines folded with a space.
        #expect(head.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
        let subject = head.components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }.prefix {
            $0.hasPrefix("Subject:") || $0.hasPrefix(" ")
        }
        let decoded = subject.joined().components(separatedBy: "=?utf-8?B?").dropFirst().map { word in
            String(decoding: Data(base64Encoded: String(word.prefix { $0 != "?" }))!, as: UTF8.self)
        }.joined()
        #expect(decoded == message.subject)
        let plain = String(decoding: Data(base64Encoded: body.replacingOccurrences(of: "\r\n", with: ""))!, as: UTF8.self)
        #expect(plain == "Здравейте!\r\n\r\nВръзка: https://vestnik.bg/x\r\n")
    }

    @Test("an address or a subject cannot add a header or a recipient")
    func injection() {
        #expect(MailMessage.isAddress("ivan@example.bg"))
        for bad in [
            "ivan@example.bg\r\nBcc: all@example.bg", "a@b@c", "ivan", "@example.bg", "ivan@", "a b@c.bg", "<a@b.bg>", "a@b.bg,c@d.bg",
        ] {
            #expect(!MailMessage.isAddress(bad), "\(bad)")
            #expect(MailMessage(from: "r@vestnik.bg", to: bad, subject: "x", body: "y").rendered(date: Date(), messageID: "1") == nil)
        }
        let bytes = MailMessage(from: "r@vestnik.bg", to: "i@e.bg", subject: "Hi\r\nBcc: all@example.bg", body: "y").rendered(
            date: Date(), messageID: "1")
        let head = String(decoding: bytes ?? [], as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
        #expect(!head.components(separatedBy: "\r\n").contains { $0.hasPrefix("Bcc:") })
    }
}

extension Array where Element == String {
    fileprivate var pairs: (String, String)? { count == 2 ? (self[0], self[1]) : nil }
}
