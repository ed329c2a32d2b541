import SQLKit
import SQLiteKit

extension Database {
    /// A number that changes whenever another process commits to the SQLite file (`vestnik import` or `vestnik
    /// setting` beside a running server): SQLite's `PRAGMA data_version` on our writer connection, which our own
    /// commits do not move. Nil on PostgreSQL, where other processes' changes arrive by LISTEN/NOTIFY.
    public func externalWriteVersion() async throws -> Int? {
        guard dialect == .sqlite else { return nil }
        return try await withSQLiteWriter { connection in
            let rows = try await connection.query("PRAGMA data_version")
            return rows.first?.column("data_version")?.integer
        }
    }
}
