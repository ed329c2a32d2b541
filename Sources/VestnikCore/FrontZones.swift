import Foundation

/// Which kind of page a front zone belongs to: the home page, or a section's front (the first page of its list).
public enum FrontPageKind: String, Sendable, Codable, Equatable {
    case home
    case section
}

/// Where a front layout is shown: the home page, or one section's front (by the section's id).
public enum FrontScope: Sendable, Hashable {
    case home
    case section(Int)

    /// The stored number: 0 for the home page, else the section's id.
    public var number: Int {
        switch self {
        case .home: return 0
        case .section(let id): return id
        }
    }

    public init(number: Int) { self = number == 0 ? .home : .section(number) }

    public var kind: FrontPageKind {
        switch self {
        case .home: return .home
        case .section: return .section
        }
    }
}

/// How the unpinned part of a zone is filled: the newest articles (of the site, or on a section's front, of that
/// section), the newest of one section or topic, or the most read; each at most `maxAgeHours` old when set.
public struct FrontRule: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case newest
        case section
        case topic
        case mostRead = "most_read"
    }

    public var kind: Kind
    /// The section's or topic's id, for `.section` and `.topic`.
    public var subject: Int?
    public var maxAgeHours: Int?

    public init(kind: Kind, subject: Int? = nil, maxAgeHours: Int? = nil) {
        self.kind = kind
        self.subject = subject
        self.maxAgeHours = maxAgeHours
    }

    /// The longest age a rule may ask for: a year.
    public static let maxAge = 8760

    /// The rule as a form's select names it: `newest`, `most_read`, `section:3`, `topic:7`.
    public var choice: String {
        switch kind {
        case .newest, .mostRead: return kind.rawValue
        case .section, .topic: return "\(kind.rawValue):\(subject ?? 0)"
        }
    }

    /// Reads a form's choice and age (`""` for none); nil for anything else: an unknown kind, a missing or
    /// non-numeric subject, an age outside 1…`maxAge` hours.
    public init?(choice: String, maxAgeHours age: String) {
        guard choice.count <= 40 else { return nil }
        let parts = choice.split(separator: ":", omittingEmptySubsequences: false)
        guard let kind = Kind(rawValue: String(parts[0])) else { return nil }
        var subject: Int?
        switch kind {
        case .newest, .mostRead: guard parts.count == 1 else { return nil }
        case .section, .topic:
            guard parts.count == 2, parts[1].count <= 12, let id = Int(parts[1]), id > 0 else { return nil }
            subject = id
        }
        var hours: Int?
        let trimmed = age.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty {
            guard trimmed.count <= 5, let value = Int(trimmed), (1...Self.maxAge).contains(value) else { return nil }
            hours = value
        }
        self.init(kind: kind, subject: subject, maxAgeHours: hours)
    }
}

/// A named place on a front page, declared by the theme (`zones.json`): how many stories it holds, how it looks
/// (`lead`: the first story large) and the rule that fills what the editor did not pin.
public struct FrontZone: Sendable, Equatable, Codable {
    public var name: String
    public var size: Int
    public var rule: FrontRule
    public var lead: Bool

    public init(name: String, size: Int, rule: FrontRule, lead: Bool = false) {
        self.name = name
        self.size = size
        self.rule = rule
        self.lead = lead
    }

    enum CodingKeys: String, CodingKey { case name, size, rule, subject, maxAgeHours, lead }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        size = try c.decode(Int.self, forKey: .size)
        rule = FrontRule(
            kind: try c.decode(FrontRule.Kind.self, forKey: .rule), subject: try c.decodeIfPresent(Int.self, forKey: .subject),
            maxAgeHours: try c.decodeIfPresent(Int.self, forKey: .maxAgeHours))
        lead = try c.decodeIfPresent(Bool.self, forKey: .lead) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(size, forKey: .size)
        try c.encode(rule.kind, forKey: .rule)
        try c.encodeIfPresent(rule.subject, forKey: .subject)
        try c.encodeIfPresent(rule.maxAgeHours, forKey: .maxAgeHours)
        try c.encode(lead, forKey: .lead)
    }
}

/// Every zone a theme declares: the home page's and a section front's, each in the order the page shows them.
public struct FrontZones: Sendable, Equatable, Codable {
    public var home: [FrontZone]
    public var section: [FrontZone]

    public init(home: [FrontZone], section: [FrontZone]) {
        self.home = home
        self.section = section
    }

    /// The most stories one zone may hold.
    public static let maxSize = 30

    public func zones(_ kind: FrontPageKind) -> [FrontZone] { kind == .home ? home : section }

    public func zone(_ name: String, on kind: FrontPageKind) -> FrontZone? { zones(kind).first { $0.name == name } }

    /// Why this declaration cannot be used, or nil: each zone needs a name of 1 to 24 letters `a-z`, digits or `_`,
    /// unique on its page, a size of 1 to `maxSize`, and a topic or section rule its subject; at most 12 zones a page.
    public var problem: String? {
        for (kind, zones) in [("home", home), ("section", section)] {
            if zones.count > 12 { return "the \(kind) page declares more than 12 zones" }
            var names = Set<String>()
            for zone in zones {
                guard !zone.name.isEmpty, zone.name.count <= 24,
                    zone.name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" })
                else { return "the zone name \"\(zone.name.prefix(40))\" must be 1 to 24 characters a-z, 0-9 or _" }
                guard names.insert(zone.name).inserted else { return "the zone \(zone.name) is declared twice on the \(kind) page" }
                guard (1...Self.maxSize).contains(zone.size) else { return "the zone \(zone.name) must hold 1 to \(Self.maxSize) stories" }
                if let age = zone.rule.maxAgeHours, !(1...FrontRule.maxAge).contains(age) {
                    return "the zone \(zone.name)'s maxAgeHours must be 1 to \(FrontRule.maxAge)"
                }
            }
        }
        return nil
    }
}

/// The articles pinned in a layout: for each zone, its pinned article ids in slot order. The arrangement's moves
/// are here, without I/O, so the service and its tests share them; an article is pinned at most once a layout.
public struct FrontPins: Sendable, Equatable {
    public private(set) var zones: [String: [Int]]

    public init(_ zones: [String: [Int]] = [:]) { self.zones = zones.filter { !$0.value.isEmpty } }

    public subscript(zone: String) -> [Int] { zones[zone] ?? [] }

    /// The zone and slot where `article` is pinned.
    public func place(of article: Int) -> (zone: String, index: Int)? {
        for (zone, ids) in zones { if let index = ids.firstIndex(of: article) { return (zone, index) } }
        return nil
    }

    public func contains(_ article: Int) -> Bool { place(of: article) != nil }

    /// Pins `article` into `zone` at `index` (clamped to the zone's pins), taking it from where it was; a zone full
    /// at `capacity` lets its last pin go.
    public mutating func pin(_ article: Int, in zone: String, at index: Int, capacity: Int) {
        remove(article)
        var ids = self[zone]
        ids.insert(article, at: min(max(0, index), ids.count))
        if ids.count > capacity { ids.removeLast(ids.count - capacity) }
        zones[zone] = ids
    }

    /// Moves `article` one slot up (`-1`) or down (`+1`) in its zone; false when it is not pinned or is at that end.
    @discardableResult
    public mutating func move(_ article: Int, by offset: Int) -> Bool {
        guard let (zone, index) = place(of: article) else { return false }
        let target = index + offset
        var ids = self[zone]
        guard ids.indices.contains(target) else { return false }
        ids.swapAt(index, target)
        zones[zone] = ids
        return true
    }

    /// Unpins `article`; false when it was not pinned.
    @discardableResult
    public mutating func remove(_ article: Int) -> Bool {
        guard let (zone, index) = place(of: article) else { return false }
        zones[zone]?.remove(at: index)
        if zones[zone]?.isEmpty == true { zones[zone] = nil }
        return true
    }
}

/// Fills a front page's zones: first every zone's pins (in the zones' order), then each zone's rule from its
/// candidates, skipping what the page already shows, so no story appears twice on one page.
public enum FrontFill {
    public static func fill(
        zones: [FrontZone], pinned: [String: [ArticleSummary]], candidates: [String: [ArticleSummary]]
    ) -> [(zone: FrontZone, articles: [ArticleSummary])] {
        var shown = Set<Int>()
        var filled: [[ArticleSummary]] = []
        for zone in zones {
            var items: [ArticleSummary] = []
            for article in pinned[zone.name] ?? [] where items.count < zone.size && shown.insert(article.id).inserted {
                items.append(article)
            }
            filled.append(items)
        }
        for (index, zone) in zones.enumerated() {
            for article in candidates[zone.name] ?? [] where filled[index].count < zone.size && shown.insert(article.id).inserted {
                filled[index].append(article)
            }
        }
        return zip(zones, filled).map { (zone: $0, articles: $1) }
    }
}
