import Foundation
import Logging
import VestnikDemo
import VestnikStore
import VestnikWeb

/// The demo site: loaded once into an empty database on first start, through the ordinary importer.
enum DemoSite {
    static func loadIfEmpty(_ database: Database, logger: Logger) async throws {
        let settings = SettingsRepository(database: database)
        guard try await settings.value(SettingKeys.demoLoaded) == nil else { return }
        guard try await ArticleRepository(database: database).count() == 0 else { return }
        // The newest demo article lands a minute ago, so "Новините днес" has the demo's latest stories.
        let report = try await ContentImporter(database: database)
            .importContent(at: DemoContent.directory, rebaseTo: Date().addingTimeInterval(-60))
        for failure in report.failures { logger.error("demo content: \(failure)") }
        try await settings.set(SettingKeys.demoLoaded, to: ISO8601DateFormatter().string(from: Date()))
        logger.info("Loaded the demo site: \(report.created.count) articles")
    }
}
