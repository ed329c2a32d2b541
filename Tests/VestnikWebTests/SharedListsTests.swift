import Foundation
import Testing
import VestnikCore
import VestnikStore
import VestnikTestSupport
@testable import VestnikWeb

/// The sections and "Новините днес" are read once and reused; a change, a write or age makes them read again.
@Suite struct SharedListsTests {
    @Test(arguments: TestDatabase.all)
    func copiesAreReusedUntilSomethingChanges(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let articles = ArticleRepository(database: database)
            try await articles.save(article("Първа новина", hoursAgo: 1), now: testNow, refreshRelated: false)
            let lists = SharedLists(database: database, maxAge: 2)
            #expect(try await lists.sections(now: testNow).map(\.name) == ["Свят"])
            #expect(try await lists.today(now: testNow).map(\.title) == ["Първа новина"])

            // Written behind the repositories' back (no change event, as another node or the command line would):
            // the copies stay until they are 2 seconds old.
            let other = try await TestDatabase.otherProcess(of: database)
            try await other.closing {
                try await other.write { db in
                    try await db.raw("UPDATE articles SET title = 'Скрита промяна'").run()
                    try await db.raw("UPDATE sections SET name = 'Скрита рубрика'").run()
                }
            }
            #expect(try await lists.today(now: testNow.addingTimeInterval(1)).map(\.title) == ["Първа новина"])
            #expect(try await lists.sections(now: testNow.addingTimeInterval(1)).map(\.name) == ["Свят"])
            #expect(try await lists.today(now: testNow.addingTimeInterval(2)).map(\.title) == ["Скрита промяна"])
            #expect(try await lists.sections(now: testNow.addingTimeInterval(2)).map(\.name) == ["Скрита рубрика"])

            // A save announces a change: the very next page sees it, at the same moment.
            let later = testNow.addingTimeInterval(2)
            try await articles.save(article("Втора новина", section: "Спорт", hoursAgo: 0.5), now: later, refreshRelated: false)
            #expect(try await lists.today(now: later).map(\.title) == ["Втора новина", "Скрита промяна"])
            #expect(try await lists.sections(now: later).map(\.name) == ["Скрита рубрика", "Спорт"])

            // Any write through this process counts too, announced or not.
            try await database.write { db in try await db.raw("UPDATE articles SET title = 'Трета' WHERE slug = 'vtora-novina'").run() }
            #expect(try await lists.today(now: later).map(\.title) == ["Трета", "Скрита промяна"])

            // A new Sofia day starts a new list; a clock that went back reads again.
            #expect(try await lists.today(now: testNow.addingTimeInterval(14 * 3600)).isEmpty)
            #expect(try await lists.today(now: later).map(\.title) == ["Трета", "Скрита промяна"])
        }
    }
}
