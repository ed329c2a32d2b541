import Foundation
import NIOCore
import VestnikCore
import VestnikStore

/// The curated fronts: the home page and a section's first page, made of the zones the theme declares, each filled
/// with what an editor pinned and then by its rule (`FrontFill`: pins first, rules skip what the page shows).
extension PublicController {
    var fronts: FrontLayoutService { FrontLayoutService(database: site.database, zones: site.theme.zones) }

    /// The page's zones filled from `layout` (the live one, or a draft being previewed; nil: the theme's rules).
    /// `keys` gains the page's front key, the key of every list a rule reads and of every story shown.
    func frontZones(_ scope: FrontScope, layout: FrontLayout?, now: Date, keys: inout PageKeys) async throws -> [FilledZone] {
        let declared = site.theme.zones.zones(scope.kind)
        keys.insert(CacheKey.front(scope))
        let room = declared.reduce(0) { $0 + $1.size }
        var queries: [FrontListQuery] = []
        var queryOf: [String: Int] = [:]
        var mostReadZones: [(name: String, since: Date?)] = []
        for zone in declared {
            let rule = layout?.rule(for: zone) ?? zone.rule
            let since = rule.maxAgeHours.map { now.addingTimeInterval(-Double($0) * 3600) }
            let filter: ArticleFilter
            switch rule.kind {
            case .newest:
                if case .section(let id) = scope { filter = .section(id) } else { filter = .all }
            case .section: filter = .section(rule.subject ?? 0)
            case .topic: filter = .topic(rule.subject ?? 0)
            case .mostRead:
                mostReadZones.append((zone.name, since))
                continue
            }
            switch filter {
            case .section(let id): keys.insert(CacheKey.section(id))
            case .topic(let id): keys.insert(CacheKey.topic(id))
            default: keys.insert(CacheKey.latest)
            }
            queryOf[zone.name] = queries.count
            // Enough that skipping every story shown elsewhere on the page still fills the zone.
            queries.append(FrontListQuery(filter: filter, since: since, limit: zone.size + room))
        }
        let pinnedIDs = declared.flatMap { layout?.pins[$0.name] ?? [] }
        let found = try await site.articles.front(pinned: pinnedIDs, lists: queries, now: now)
        var candidates: [String: [ArticleSummary]] = [:]
        for (name, index) in queryOf { candidates[name] = found.lists[index] }
        if !mostReadZones.isEmpty {
            let day = try await mostRead.articles(.day)
            keys.insert(day)
            for (name, since) in mostReadZones {
                candidates[name] = day.map(\.summary).filter { since == nil || $0.publishedAt >= since! }
            }
        }
        var pinned: [String: [ArticleSummary]] = [:]
        for zone in declared { pinned[zone.name] = (layout?.pins[zone.name] ?? []).compactMap { found.pinned[$0] } }
        let filled = FrontFill.fill(zones: declared, pinned: pinned, candidates: candidates)
        for entry in filled { keys.insert(entry.articles) }
        return filled
    }

    /// The home page with `layout`'s arrangement; the sections' blocks and "Новините днес" skip the zones' stories.
    func homePage(layout: FrontLayout?, now: Date, keys: inout PageKeys) async throws -> ByteBuffer {
        let sections = try await site.lists.sections(now: now)
        let zones = try await frontZones(.home, layout: layout, now: now, keys: &keys)
        var shown = Set(zones.flatMap { $0.articles.map(\.id) })
        // Each block shows 4 stories the zones do not: read past as many of its section's as the zones show.
        var shownPerSection: [String: Int] = [:]
        for zone in zones { for article in zone.articles { shownPerSection[article.sectionSlug, default: 0] += 1 } }
        let front = try await site.articles.front(
            latest: 0, sections: sections.map(\.id), perSection: 4 + (shownPerSection.values.max() ?? 0), now: now)
        var sectionLists: [Int: [ArticleSummary]] = [:]
        for section in sections {
            keys.insert(CacheKey.section(section.id))
            let items = Array((front.sections[section.id] ?? []).filter { shown.insert($0.id).inserted }.prefix(4))
            keys.insert(items)
            sectionLists[section.id] = items
        }
        keys.insert(CacheKey.latest)
        let today = try await site.lists.today(now: now).filter { !shown.contains($0.id) }
        keys.insert(today)
        let view = HomeView(
            zones: zones, sectionLists: sectionLists, sections: sections, banner: try await site.lists.banner(now: now),
            today: today, mostRead: try await mostReadBlock(keys: &keys), views: site.views,
            pictures: try await site.cardPictures(zones.flatMap(\.articles) + sectionLists.values.joined()), now: now)
        return try site.theme.render("home", view)
    }
}
