import SQLKit

/// Site-wide settings as text: the site's language, its name, whether the demo was loaded. A change may alter
/// every page, so it announces everything.
public struct SettingsRepository: Sendable {
    let database: Database

    public init(database: Database) { self.database = database }

    public func value(_ key: String) async throws -> String? {
        try await database.read { db in
            try await db.raw("SELECT value FROM settings WHERE key = \(bind: key)").first()?.string("value")
        }
    }

    public func set(_ key: String, to value: String) async throws {
        try await database.write { db in
            try await db.raw(
                """
                INSERT INTO settings (key, value) VALUES (\(bind: key), \(bind: value))
                ON CONFLICT (key) DO UPDATE SET value = \(bind: value)
                """
            ).run()
        }
        await database.announce(.everything)
    }
}
