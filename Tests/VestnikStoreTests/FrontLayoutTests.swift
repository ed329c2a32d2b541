import Foundation
import Testing
import VestnikCore
import VestnikTestSupport
@testable import VestnikStore

/// Front-page curation's one write path: pins and their moves, rules, no story twice on a page, publishing now or at
/// a minute, editors only, every change audited, and the announcement naming exactly the page that shows the layout.
@Suite struct FrontLayoutTests {
    static let zones = FrontZones(
        home: [
            FrontZone(name: "lead", size: 1, rule: FrontRule(kind: .newest), lead: true),
            FrontZone(name: "top", size: 3, rule: FrontRule(kind: .newest)),
            FrontZone(name: "strip", size: 2, rule: FrontRule(kind: .newest, maxAgeHours: 5)),
        ],
        section: [FrontZone(name: "lead", size: 1, rule: FrontRule(kind: .newest))])

    /// Six published articles (hours ago 1…6: the first is the newest) in Свят, two in България, and one draft.
    static func site(_ database: Database) async throws -> (ids: [Int], other: [Int], draft: Int) {
        let articles = ArticleRepository(database: database)
        var ids: [Int] = []
        for n in 1...6 { ids.append(try await articles.save(input("Свят \(n)", hoursAgo: Double(n)), now: testNow).id) }
        var other: [Int] = []
        for n in 1...2 {
            other.append(try await articles.save(input("Родина \(n)", section: "България", hoursAgo: Double(n) + 0.5), now: testNow).id)
        }
        let draft = try await articles.save(input("Чернова", status: .draft), now: testNow).id
        return (ids, other, draft)
    }

    @Test("pins: placed at a slot, moved up and down and into another zone, unpinned; each change audited", arguments: TestDatabase.all)
    func pins(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (ids, _, draft) = try await Self.site(database)
            let fronts = FrontLayoutService(database: database, zones: Self.zones)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            let layout = try await fronts.create(.home, name: " Сутрешна ", by: editor, now: testNow)
            #expect(layout.name == "Сутрешна" && layout.state == .draft && layout.scope == .home)
            try await fronts.pin(ids[4], zone: "lead", at: 0, in: layout.id, by: editor, now: testNow)
            try await fronts.pin(ids[3], zone: "top", at: 0, in: layout.id, by: editor, now: testNow)
            try await fronts.pin(ids[2], zone: "top", at: 0, in: layout.id, by: editor, now: testNow)
            try await fronts.pin(ids[1], zone: "top", at: 99, in: layout.id, by: editor, now: testNow)
            var pins = try #require(try await fronts.layout(id: layout.id)).pins
            #expect(pins["lead"] == [ids[4]] && pins["top"] == [ids[2], ids[3], ids[1]])
            try await fronts.move(ids[1], by: -1, in: layout.id, by: editor, now: testNow)
            try await fronts.move(ids[2], by: -1, in: layout.id, by: editor, now: testNow)  // already first: unchanged
            pins = try #require(try await fronts.layout(id: layout.id)).pins
            #expect(pins["top"] == [ids[2], ids[1], ids[3]])
            // Into the full lead zone: the story there lets go; one story is pinned once a layout.
            try await fronts.pin(ids[1], zone: "lead", at: 0, in: layout.id, by: editor, now: testNow)
            pins = try #require(try await fronts.layout(id: layout.id)).pins
            #expect(pins["lead"] == [ids[1]] && pins["top"] == [ids[2], ids[3]] && !pins.contains(ids[4]))
            try await fronts.unpin(ids[3], in: layout.id, by: editor, now: testNow)
            #expect(try #require(try await fronts.layout(id: layout.id)).pins["top"] == [ids[2]])
            // A draft article, a zone the theme does not declare, an article not pinned: refused, nothing changes.
            await #expect(throws: InvalidInput.self) {
                try await fronts.pin(draft, zone: "top", at: 0, in: layout.id, by: editor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await fronts.pin(ids[0], zone: "sidebar", at: 0, in: layout.id, by: editor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) { try await fronts.unpin(ids[5], in: layout.id, by: editor, now: testNow) }
            #expect(try #require(try await fronts.layout(id: layout.id)).pins == FrontPins(["lead": [ids[1]], "top": [ids[2]]]))
            // A draft is nobody's business but the newsroom's: nothing announced.
            #expect(heard.take().isEmpty)
            #expect(
                try await ArticleWriteServiceTests.auditActions(database).filter { $0.hasPrefix("front_") } == [
                    "front_created", "front_pinned", "front_pinned", "front_pinned", "front_pinned", "front_moved", "front_moved",
                    "front_pinned", "front_unpinned",
                ])
        }
    }

    @Test("below editor every write is refused and nothing is stored or audited", arguments: TestDatabase.all)
    func roles(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (ids, _, _) = try await Self.site(database)
            let fronts = FrontLayoutService(database: database, zones: Self.zones)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let layout = try await fronts.create(.home, name: "Вечерна", by: editor, now: testNow)
            let before = try await ArticleWriteServiceTests.auditActions(database)
            for role in [Role.author, .contributor] {
                let writer = try await ArticleWriteServiceTests.user(database, "\(role.rawValue)@vestnik.bg", role)
                await #expect(throws: ArticleWriteError.notAllowed) {
                    _ = try await fronts.create(.home, name: "Моя", by: writer, now: testNow)
                }
                await #expect(throws: ArticleWriteError.notAllowed) {
                    try await fronts.pin(ids[0], zone: "lead", at: 0, in: layout.id, by: writer, now: testNow)
                }
                await #expect(throws: ArticleWriteError.notAllowed) {
                    try await fronts.setRule(FrontRule(kind: .mostRead), zone: "top", in: layout.id, by: writer, now: testNow)
                }
                await #expect(throws: ArticleWriteError.notAllowed) { try await fronts.publish(layout.id, by: writer, now: testNow) }
                await #expect(throws: ArticleWriteError.notAllowed) {
                    try await fronts.schedule(layout.id, at: testNow.addingTimeInterval(60), by: writer, now: testNow)
                }
                await #expect(throws: ArticleWriteError.notAllowed) { try await fronts.discard(layout.id, by: writer, now: testNow) }
            }
            #expect(try await ArticleWriteServiceTests.auditActions(database) == before)
            #expect(try await fronts.layouts(.home).map(\.id) == [layout.id])
            #expect(try #require(try await fronts.layout(id: layout.id)).pins.zones.isEmpty)
        }
    }

    @Test("rules fill what is not pinned, newest first within their age, skipping every story the page shows", arguments: TestDatabase.all)
    func ruleFill(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (ids, other, _) = try await Self.site(database)
            let fronts = FrontLayoutService(database: database, zones: Self.zones)
            let articles = ArticleRepository(database: database)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let layout = try await fronts.create(.home, name: "Дневна", by: editor, now: testNow)
            // The third newest leads; the top has the oldest pinned second; the strip takes България's newest.
            try await fronts.pin(ids[2], zone: "lead", at: 0, in: layout.id, by: editor, now: testNow)
            try await fronts.pin(ids[5], zone: "top", at: 1, in: layout.id, by: editor, now: testNow)
            let bulgaria = try #require(try await TaxonomyRepository(database: database).section(slug: "bulgaria")).id
            try await fronts.setRule(
                FrontRule(kind: .section, subject: bulgaria, maxAgeHours: 2), zone: "strip", in: layout.id, by: editor, now: testNow)
            await #expect(throws: InvalidInput.self) {
                try await fronts.setRule(FrontRule(kind: .topic, subject: 9999), zone: "strip", in: layout.id, by: editor, now: testNow)
            }
            let stored = try #require(try await fronts.layout(id: layout.id))
            let rules = Self.zones.home.map { stored.rule(for: $0) }
            #expect(rules.map(\.kind) == [.newest, .newest, .section])
            let found = try await articles.front(
                pinned: Self.zones.home.flatMap { stored.pins[$0.name] },
                lists: rules.enumerated().map { index, rule in
                    FrontListQuery(
                        filter: rule.kind == .section ? .section(rule.subject ?? 0) : .all,
                        since: rule.maxAgeHours.map { testNow.addingTimeInterval(-Double($0) * 3600) }, limit: 10)
                },
                now: testNow)
            #expect(found.lists[2].map(\.id) == [other[0]])  // "Родина 2" is 2.5 hours old: past the strip's age
            var pinned: [String: [ArticleSummary]] = [:]
            var candidates: [String: [ArticleSummary]] = [:]
            for (index, zone) in Self.zones.home.enumerated() {
                pinned[zone.name] = stored.pins[zone.name].compactMap { found.pinned[$0] }
                candidates[zone.name] = found.lists[index]
            }
            let filled = FrontFill.fill(zones: Self.zones.home, pinned: pinned, candidates: candidates)
            #expect(filled.map { $0.articles.map(\.id) } == [[ids[2]], [ids[5], ids[0], other[0]], []])
            let shown = filled.flatMap { $0.articles.map(\.id) }
            #expect(Set(shown).count == shown.count)
            // A pinned story that is unpublished later is left out, and its slot is filled by the rule.
            _ = try await articles.save(input("Свят 3", hoursAgo: 3, status: .draft), now: testNow)
            let again = try await articles.front(pinned: [ids[2]], lists: [FrontListQuery(filter: .all, limit: 3)], now: testNow)
            #expect(again.pinned.isEmpty && again.lists[0].map(\.id) == [ids[0], other[0], ids[1]])
        }
    }

    @Test("publishing announces exactly that page: a section's layout names its front, never the home page", arguments: TestDatabase.all)
    func exactPurge(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (ids, _, _) = try await Self.site(database)
            let fronts = FrontLayoutService(database: database, zones: Self.zones)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let world = try #require(try await TaxonomyRepository(database: database).section(slug: "svyat")).id
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            await #expect(throws: InvalidInput.self) { _ = try await fronts.create(.section(9999), name: "Няма", by: editor, now: testNow) }
            let section = try await fronts.create(.section(world), name: "Свят сутрин", by: editor, now: testNow)
            try await fronts.pin(ids[3], zone: "lead", at: 0, in: section.id, by: editor, now: testNow)
            #expect(heard.take().isEmpty)
            try await fronts.publish(section.id, by: editor, now: testNow)
            #expect(heard.take() == [CacheKey.front(.section(world))])
            #expect(try await fronts.live(.section(world))?.id == section.id)
            #expect(try await fronts.live(.home) == nil)
            // A change to the live layout shows at once: announced, again only for that section's front.
            try await fronts.move(ids[3], by: 1, in: section.id, by: editor, now: testNow)
            try await fronts.unpin(ids[3], in: section.id, by: editor, now: testNow)
            #expect(heard.take() == [CacheKey.front(.section(world))])
            let home = try await fronts.create(.home, name: "Начална", by: editor, now: testNow)
            try await fronts.publish(home.id, by: editor, now: testNow)
            #expect(heard.take() == [CacheKey.front(.home)])
            #expect(CacheKey.front(.home) == "f0" && CacheKey.isValid("f0") && CacheKey.isValid(Substring(CacheKey.front(.section(world)))))
            await #expect(throws: InvalidInput.self) { try await fronts.discard(home.id, by: editor, now: testNow) }
        }
    }

    @Test(
        "a scheduled layout goes live at its minute, once, retiring the one before; the scheduler's audit row", arguments: TestDatabase.all)
    func schedule(_ kind: TestDatabase) async throws {
        try await kind.with { database in
            let (ids, _, _) = try await Self.site(database)
            let fronts = FrontLayoutService(database: database, zones: Self.zones)
            let editor = try await ArticleWriteServiceTests.user(database, "e@vestnik.bg", .editor)
            let day = try await fronts.create(.home, name: "Дневна", by: editor, now: testNow)
            try await fronts.publish(day.id, by: editor, now: testNow)
            let morning = try await fronts.create(.home, name: "Сутрешна", by: editor, now: testNow)
            try await fronts.pin(ids[5], zone: "lead", at: 0, in: morning.id, by: editor, now: testNow)
            await #expect(throws: InvalidInput.self) { try await fronts.schedule(morning.id, at: testNow, by: editor, now: testNow) }
            await #expect(throws: InvalidInput.self) {
                try await fronts.schedule(morning.id, at: testNow.addingTimeInterval(40 * 24 * 3600), by: editor, now: testNow)
            }
            await #expect(throws: InvalidInput.self) {
                try await fronts.schedule(day.id, at: testNow.addingTimeInterval(60), by: editor, now: testNow)
            }
            let at = testNow.addingTimeInterval(60)
            try await fronts.schedule(morning.id, at: at, by: editor, now: testNow)
            let scheduled = try #require(try await fronts.layout(id: morning.id))
            #expect(scheduled.state == .scheduled && scheduled.publishAt == at)
            let heard = HeardChanges()
            database.changes.subscribe { heard.append($0) }
            #expect(try await fronts.publishDue(now: at.addingTimeInterval(-1)).isEmpty)
            #expect(heard.take().isEmpty)
            #expect(try await fronts.publishDue(now: at) == [morning.id])
            #expect(heard.take() == [CacheKey.front(.home)])
            #expect(try await fronts.publishDue(now: at.addingTimeInterval(1)).isEmpty)
            #expect(try await fronts.live(.home)?.id == morning.id)
            #expect(try await fronts.live(.home)?.pins["lead"] == [ids[5]])
            #expect(try #require(try await fronts.layout(id: day.id)).state == .retired)
            #expect(try await fronts.layouts(.home).map(\.id) == [morning.id, day.id])
            let log = try await DraftKeeping(database: database).auditLog(limit: 1)
            #expect(log.first?.action == "front_published" && log.first?.title == "Сутрешна")
            // A new layout starts from the live one.
            let copy = try await fronts.create(.home, name: "Копие", by: editor, now: at)
            #expect(copy.pins == FrontPins(["lead": [ids[5]]]))
            try await fronts.discard(copy.id, by: editor, now: at)
            #expect(try await fronts.layout(id: copy.id) == nil)
        }
    }
}
