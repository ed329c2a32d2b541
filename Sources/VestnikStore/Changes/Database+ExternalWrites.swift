import SQLKit
import SQLiteKit

extension Database {
    /// A number that changes whenever another process commits to the SQLite file (`vestnik import` or `vestnik
    /// setting` beside a running server): SQLite's `PRAGMA data_version` on our writer connection, which our own
    /// commits do not move. Nil on PostgreSQL, where other processes' changes arrive by LISTEN/NOTIFY.
    public func externalWriteVersion() async throws -> Int? {
        guard dialect == .sqlite else { return nil }
        return try await withSQLiteWriter { db in try await db.raw("PRAGMA data_version").first()?.int("data_version") }
    }
}
