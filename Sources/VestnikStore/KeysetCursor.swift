import Foundation
import VestnikCore

/// Where a page of a newest-first list starts: just after the row changed at `time` (Unix seconds) whose tie-breaking
/// key is `key`. Keyset pagination costs the same on the 5,000th page as on the first. In links it is written
/// `1795600800-<key>`; a text that does not read back is refused (a 400 for the page asking).
public struct KeysetCursor<Key: Sendable & Equatable & LosslessStringConvertible>: Sendable, Equatable {
    public var time: Int
    public var key: Key

    public init(time: Int, key: Key) {
        self.time = time
        self.key = key
    }

    /// `1795600800-42`; `isValid` checks the key's own form.
    public init?(_ text: String, isValid: (Key) -> Bool) {
        let parts = text.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].count <= 12, parts[1].count <= 64, let time = Int(parts[0]), let key = Key(String(parts[1])),
            isValid(key)
        else { return nil }
        self.init(time: time, key: key)
    }

    public var text: String { "\(time)-\(key)" }
}

/// The newsroom's article list: by last change, then id.
public typealias NewsroomCursor = KeysetCursor<Int>
/// The media library: by upload time, then content hash.
public typealias MediaCursor = KeysetCursor<String>

extension KeysetCursor where Key == Int {
    public init?(_ text: String) { self.init(text, isValid: { $0 >= 0 }) }
}

extension KeysetCursor where Key == String {
    public init?(_ text: String) { self.init(text, isValid: MediaAddress.isHash) }
}
