import Foundation
import SQLKit
import VestnikCore

/// Column readers shared by the repositories; flags are stored as 0/1 integers and times as Unix seconds.
extension SQLRow {
    func int(_ column: String) throws -> Int { try decode(column: column, as: Int.self) }
    func optionalInt(_ column: String) throws -> Int? { try decode(column: column, as: Int?.self) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func flag(_ column: String) throws -> Bool { try int(column) != 0 }
    func date(_ column: String) throws -> Date { Date(timeIntervalSince1970: TimeInterval(try int(column))) }
}

extension Date {
    /// How times are stored: whole Unix seconds.
    var unixSeconds: Int { Int(timeIntervalSince1970.rounded(.down)) }
}
