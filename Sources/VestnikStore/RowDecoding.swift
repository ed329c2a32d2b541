import Foundation
import SQLKit
import VestnikCore

/// Column readers shared by the repositories; flags are stored as 0/1 integers and times as Unix seconds.
extension SQLRow {
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try decode(column: column, as: Int?.self) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    /// A text column's UTF-8 bytes: from our SQLite reader as SQLite holds them, unchecked (`SQLiteReadRow`), from
    /// other rows (sqlite-nio's, PostgreSQL's) the string's.
    func utf8(_ column: String) throws -> [UInt8] {
        if let row = self as? SQLiteReadRow { return try row.utf8(column: column) }
        return Array(try string(column).utf8)
    }
    func flag(_ column: String) throws -> Bool { try int(column) != 0 }
    func date(_ column: String) throws -> Date { Date(timeIntervalSince1970: TimeInterval(try int(column))) }
}

extension Date {
    /// How times are stored: whole Unix seconds.
    var unixSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }
}
