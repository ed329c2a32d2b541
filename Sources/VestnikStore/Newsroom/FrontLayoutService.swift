import Foundation
import SQLKit
import VestnikCore

/// Where a front layout stands: being made, waiting for its time, on the site (one a page), or replaced.
public enum FrontLayoutState: String, Sendable, Equatable {
    case draft
    case scheduled
    case live
    case retired
}

/// One arrangement of a front page (the home page or a section's front): the stories pinned into the theme's zones
/// and, where the editor changed them, the zones' rules.
public struct FrontLayout: Sendable, Equatable {
    public var id: Int
    public var scope: FrontScope
    public var name: String
    public var state: FrontLayoutState
    public var publishAt: Date?
    public var updatedAt: Date
    public var pins: FrontPins
    /// The rules this layout sets; a zone not named here keeps the theme's (`rule(for:)`).
    public var rules: [String: FrontRule]

    public func rule(for zone: FrontZone) -> FrontRule { rules[zone.name] ?? zone.rule }
}

/// The one write path of front-page curation: layouts made, stories pinned, moved and unpinned, zone rules set,
/// layouts published, scheduled and discarded. Every write checks the role (editors and the chief), writes its audit
/// row in the same transaction, and when it changes what a page shows (a live layout, or one becoming live)
/// announces exactly that page's key (`CacheKey.front`: the home page, or that section's front), so no other cached
/// page is dropped. The scheduler calls `publishDue` every second; one node's conditional update wins.
public struct FrontLayoutService: Sendable {
    let database: Database
    /// The zones the theme declares: pins and rules name only these.
    public let zones: FrontZones

    public init(database: Database, zones: FrontZones) {
        self.database = database
        self.zones = zones
    }

    /// The longest layout name, in characters.
    public static let maxName = 80
    /// How far ahead a layout may be scheduled.
    public static let maxSchedule: TimeInterval = 31 * 24 * 3600

    // MARK: Reads

    /// The layouts of a page: the live one first, then scheduled, drafts and retired ones, newest change first.
    public func layouts(_ scope: FrontScope) async throws -> [FrontLayout] {
        try await database.read { db in
            let rows = try await db.raw(
                """
                SELECT id FROM front_layouts WHERE scope = \(bind: scope.number)
                ORDER BY CASE state WHEN 'live' THEN 0 WHEN 'scheduled' THEN 1 WHEN 'draft' THEN 2 ELSE 3 END,
                    updated_at DESC, id DESC LIMIT 100
                """
            ).all()
            var layouts: [FrontLayout] = []
            for row in rows { if let layout = try await Self.load(try row.int("id"), db) { layouts.append(layout) } }
            return layouts
        }
    }

    public func layout(id: Int) async throws -> FrontLayout? {
        try await database.read { db in try await Self.load(id, db) }
    }

    /// The layout the page shows now, if an editor published one.
    public func live(_ scope: FrontScope) async throws -> FrontLayout? {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    "SELECT id FROM front_layouts WHERE scope = \(bind: scope.number) AND state = 'live' ORDER BY id DESC LIMIT 1"
                ).first()
            else { return nil }
            return try await Self.load(try row.int("id"), db)
        }
    }

    // MARK: Writes

    /// A new draft for `scope`, starting from the live layout's pins and rules (or empty); refused below editor, for
    /// a section that does not exist, or a name that is not one line of 1 to `maxName` characters.
    public func create(_ scope: FrontScope, name: String, by writer: ArticleWriter, now: Date) async throws -> FrontLayout {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= Self.maxName, !name.contains(where: \.isNewline) else {
            throw InvalidInput("a layout needs a name of one line, 1 to \(Self.maxName) characters")
        }
        let id: Int = try await database.write { db in
            if case .section(let section) = scope,
                try await db.raw("SELECT id FROM sections WHERE id = \(bind: section)").first() == nil
            {
                throw InvalidInput("no section \(section)")
            }
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO front_layouts (scope, name, state, updated_at, updated_by)
                    VALUES (\(bind: scope.number), \(bind: name), 'draft', \(bind: now.unixSeconds), \(bind: writer.userID)) RETURNING id
                    """
                ).first()
            else { throw InvalidInput("the layout was not stored") }
            let id = try row.int("id")
            if let live = try await db.raw(
                "SELECT id FROM front_layouts WHERE scope = \(bind: scope.number) AND state = 'live' ORDER BY id DESC LIMIT 1"
            ).first() {
                let from = try live.int("id")
                try await db.raw(
                    """
                    INSERT INTO front_pins (layout_id, zone, position, article_id)
                    SELECT \(bind: id), zone, position, article_id FROM front_pins WHERE layout_id = \(bind: from)
                    """
                ).run()
                try await db.raw(
                    """
                    INSERT INTO front_rules (layout_id, zone, kind, subject_id, max_age_hours)
                    SELECT \(bind: id), zone, kind, subject_id, max_age_hours FROM front_rules WHERE layout_id = \(bind: from)
                    """
                ).run()
            }
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "front_created", articleID: nil, title: name, now: now, in: db)
            return id
        }
        guard let layout = try await layout(id: id) else { throw InvalidInput("no layout \(id)") }
        return layout
    }

    /// Pins a published `article` into `zone` at slot `index` (taking it from another slot of this layout; a full
    /// zone lets its last pin go).
    public func pin(_ article: Int, zone: String, at index: Int, in layoutID: Int, by writer: ArticleWriter, now: Date) async throws {
        try await changePins(layoutID, by: writer, now: now, action: "front_pinned", article: article) { layout, db in
            guard let declared = zones.zone(zone, on: layout.scope.kind) else { throw InvalidInput("this page has no zone \(zone)") }
            guard
                let row = try await db.raw("SELECT status FROM articles WHERE id = \(bind: article)").first(),
                try row.string("status") == ArticleStatus.published.rawValue
            else { throw InvalidInput("only a published article can be pinned") }
            layout.pins.pin(article, in: zone, at: index, capacity: declared.size)
        }
    }

    /// Moves a pinned story one slot up (`-1`) or down (`+1`) in its zone; at the zone's end nothing changes.
    public func move(_ article: Int, by offset: Int, in layoutID: Int, by writer: ArticleWriter, now: Date) async throws {
        try await changePins(layoutID, by: writer, now: now, action: "front_moved", article: article) { layout, _ in
            guard layout.pins.contains(article) else { throw InvalidInput("the article is not pinned in this layout") }
            layout.pins.move(article, by: offset < 0 ? -1 : 1)
        }
    }

    /// Unpins a story: its slot goes back to the zone's rule.
    public func unpin(_ article: Int, in layoutID: Int, by writer: ArticleWriter, now: Date) async throws {
        try await changePins(layoutID, by: writer, now: now, action: "front_unpinned", article: article) { layout, _ in
            guard layout.pins.remove(article) else { throw InvalidInput("the article is not pinned in this layout") }
        }
    }

    /// Sets the rule that fills `zone` in this layout (nil: the theme's again).
    public func setRule(_ rule: FrontRule?, zone: String, in layoutID: Int, by writer: ArticleWriter, now: Date) async throws {
        try await changePins(layoutID, by: writer, now: now, action: "front_rule", article: nil) { layout, db in
            guard zones.zone(zone, on: layout.scope.kind) != nil else { throw InvalidInput("this page has no zone \(zone)") }
            if let rule {
                if let age = rule.maxAgeHours, !(1...FrontRule.maxAge).contains(age) {
                    throw InvalidInput("the age must be 1 to \(FrontRule.maxAge) hours")
                }
                switch rule.kind {
                case .section, .topic:
                    let table = rule.kind == .section ? "sections" : "topics"
                    guard let subject = rule.subject,
                        try await db.raw("SELECT id FROM \(unsafeRaw: table) WHERE id = \(bind: subject)").first() != nil
                    else { throw InvalidInput("no such \(rule.kind.rawValue)") }
                case .newest, .mostRead: break
                }
                layout.rules[zone] = rule
            } else {
                layout.rules[zone] = nil
            }
        }
    }

    /// Makes the layout the page's own now; the one live before is retired.
    public func publish(_ layoutID: Int, by writer: ArticleWriter, now: Date) async throws {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        let scope: FrontScope = try await database.write { db in
            guard let layout = try await Self.load(layoutID, db) else { throw InvalidInput("no layout \(layoutID)") }
            try await Self.makeLive(layout, in: db)
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "front_published", articleID: nil, title: layout.name, now: now, in: db)
            return layout.scope
        }
        await database.announce(ContentChange(keys: [CacheKey.front(scope)]))
    }

    /// Has the scheduler publish the layout at `date` (a minute, in the future, within `maxSchedule`).
    public func schedule(_ layoutID: Int, at date: Date, by writer: ArticleWriter, now: Date) async throws {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        guard date > now, date.timeIntervalSince(now) <= Self.maxSchedule else {
            throw InvalidInput("a layout can be scheduled from now to 31 days ahead")
        }
        try await database.write { db in
            guard let layout = try await Self.load(layoutID, db) else { throw InvalidInput("no layout \(layoutID)") }
            guard layout.state != .live else { throw InvalidInput("this layout is already on the site") }
            try await db.raw(
                """
                UPDATE front_layouts SET state = 'scheduled', publish_at = \(bind: date.unixSeconds), updated_at = \(bind: now.unixSeconds),
                    updated_by = \(bind: writer.userID) WHERE id = \(bind: layoutID)
                """
            ).run()
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "front_scheduled", articleID: nil, title: layout.name, now: now, in: db)
        }
    }

    /// Deletes a layout that is not on the site.
    public func discard(_ layoutID: Int, by writer: ArticleWriter, now: Date) async throws {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        try await database.write { db in
            guard let layout = try await Self.load(layoutID, db) else { throw InvalidInput("no layout \(layoutID)") }
            guard layout.state != .live else { throw InvalidInput("the layout on the site cannot be deleted; publish another first") }
            try await db.raw("DELETE FROM front_pins WHERE layout_id = \(bind: layoutID)").run()
            try await db.raw("DELETE FROM front_rules WHERE layout_id = \(bind: layoutID)").run()
            try await db.raw("DELETE FROM front_layouts WHERE id = \(bind: layoutID)").run()
            try await ArticleWriteService.audit(
                userID: writer.userID, action: "front_discarded", articleID: nil, title: layout.name, now: now, in: db)
        }
    }

    /// Publishes the scheduled layouts whose time has come; the ids this node published (one node wins each).
    @discardableResult
    public func publishDue(now: Date) async throws -> [Int] {
        // Read first: this runs every second, and a write would take SQLite's writer for nothing.
        let due = try await database.read { db in
            try await db.raw(
                """
                SELECT id FROM front_layouts WHERE state = 'scheduled' AND publish_at <= \(bind: now.unixSeconds)
                ORDER BY publish_at, id
                """
            ).all().map { try $0.int("id") }
        }
        var published: [Int] = []
        for id in due {
            let scope: FrontScope? = try await database.write { db in
                guard
                    try await db.raw(
                        """
                        UPDATE front_layouts SET state = 'live' WHERE id = \(bind: id) AND state = 'scheduled'
                            AND publish_at <= \(bind: now.unixSeconds) RETURNING id
                        """
                    ).first() != nil, let layout = try await Self.load(id, db)
                else { return nil }
                try await Self.makeLive(layout, in: db)
                try await ArticleWriteService.audit(
                    userID: nil, action: "front_published", articleID: nil, title: layout.name, now: now, in: db)
                return layout.scope
            }
            if let scope {
                published.append(id)
                await database.announce(ContentChange(keys: [CacheKey.front(scope)]))
            }
        }
        return published
    }

    // MARK: Steps

    /// Loads the layout, lets `body` change its pins or rules, writes them back with the audit row, and announces
    /// the page when the layout is on the site.
    private func changePins(
        _ layoutID: Int, by writer: ArticleWriter, now: Date, action: String, article: Int?,
        _ body: @Sendable @escaping (inout FrontLayout, any SQLDatabase) async throws -> Void
    ) async throws {
        guard writer.role.editsAnyone else { throw ArticleWriteError.notAllowed }
        let changed: FrontLayout = try await database.write { db in
            guard var layout = try await Self.load(layoutID, db) else { throw InvalidInput("no layout \(layoutID)") }
            try await body(&layout, db)
            try await db.raw("DELETE FROM front_pins WHERE layout_id = \(bind: layoutID)").run()
            for (zone, ids) in layout.pins.zones {
                for (position, id) in ids.enumerated() {
                    try await db.raw(
                        """
                        INSERT INTO front_pins (layout_id, zone, position, article_id)
                        VALUES (\(bind: layoutID), \(bind: zone), \(bind: position), \(bind: id))
                        """
                    ).run()
                }
            }
            try await db.raw("DELETE FROM front_rules WHERE layout_id = \(bind: layoutID)").run()
            for (zone, rule) in layout.rules {
                try await db.raw(
                    """
                    INSERT INTO front_rules (layout_id, zone, kind, subject_id, max_age_hours)
                    VALUES (\(bind: layoutID), \(bind: zone), \(bind: rule.kind.rawValue), \(bind: rule.subject), \(bind: rule.maxAgeHours))
                    """
                ).run()
            }
            try await db.raw(
                """
                UPDATE front_layouts SET updated_at = \(bind: now.unixSeconds), updated_by = \(bind: writer.userID)
                WHERE id = \(bind: layoutID)
                """
            ).run()
            try await ArticleWriteService.audit(
                userID: writer.userID, action: action, articleID: article, title: layout.name, now: now, in: db)
            return layout
        }
        if changed.state == .live { await database.announce(ContentChange(keys: [CacheKey.front(changed.scope)])) }
    }

    /// Retires the scope's live layout and puts `layout` in its place.
    private static func makeLive(_ layout: FrontLayout, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE front_layouts SET state = 'retired' WHERE scope = \(bind: layout.scope.number) AND state = 'live'
                AND id <> \(bind: layout.id)
            """
        ).run()
        try await db.raw("UPDATE front_layouts SET state = 'live', publish_at = NULL WHERE id = \(bind: layout.id)").run()
    }

    static func load(_ id: Int, _ db: any SQLDatabase) async throws -> FrontLayout? {
        guard
            let row = try await db.raw(
                "SELECT id, scope, name, state, publish_at, updated_at FROM front_layouts WHERE id = \(bind: id)"
            ).first()
        else { return nil }
        var pins: [String: [Int]] = [:]
        for pin in try await db.raw(
            "SELECT zone, article_id FROM front_pins WHERE layout_id = \(bind: id) ORDER BY zone, position"
        ).all() {
            pins[try pin.string("zone"), default: []].append(try pin.int("article_id"))
        }
        var rules: [String: FrontRule] = [:]
        for rule in try await db.raw(
            "SELECT zone, kind, subject_id, max_age_hours FROM front_rules WHERE layout_id = \(bind: id)"
        ).all() {
            guard let kind = FrontRule.Kind(rawValue: try rule.string("kind")) else { continue }
            rules[try rule.string("zone")] = FrontRule(
                kind: kind, subject: try rule.optionalInt("subject_id"), maxAgeHours: try rule.optionalInt("max_age_hours"))
        }
        return FrontLayout(
            id: try row.int("id"), scope: FrontScope(number: try row.int("scope")), name: try row.string("name"),
            state: FrontLayoutState(rawValue: try row.string("state")) ?? .draft,
            publishAt: try row.optionalInt("publish_at").map { Date(timeIntervalSince1970: TimeInterval($0)) },
            updatedAt: try row.date("updated_at"), pins: FrontPins(pins), rules: rules)
    }
}
